// Entry point of the flex-transfer policy pack: the CLI loads this directory.
// The rules and their messages: README.md; the checks: rules.ts; when each
// runs: policies.ts.
//
// The pack is TypeScript. When tsc has compiled it into dist/policy/ and that
// build is not older than any source here, the compiled JavaScript runs: that
// saves the seconds per preview or up that type-checking the sources through
// ts-node (which the CLI's policy runner registers) would cost. Otherwise the
// sources run through ts-node.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const compiledDir = path.join(__dirname, '..', 'dist', 'policy');

function compiledIsCurrent() {
  const sources = fs.readdirSync(__dirname).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  return sources.every((file) => {
    const compiled = path.join(compiledDir, file.replace(/\.ts$/, '.js'));
    return fs.existsSync(compiled) && fs.statSync(compiled).mtimeMs >= fs.statSync(path.join(__dirname, file)).mtimeMs;
  });
}

const from = compiledIsCurrent() ? compiledDir : __dirname;
// First: record the stack configuration the engine sends (stack-context.ts).
require(path.join(from, 'stack-context')).installStackContextCapture();
const { policies } = require(path.join(from, 'policies'));
const { PolicyPack } = require('@pulumi/policy');

new PolicyPack('flex-transfer', { enforcementLevel: 'mandatory', policies });
