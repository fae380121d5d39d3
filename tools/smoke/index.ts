// One dynamic resource whose provider computes a digest of its input: enough
// to exercise create, diff (no change on a second preview) and delete through
// the real engine and the pulumi-resource-pulumi-nodejs plugin.
import * as pulumi from '@pulumi/pulumi';

interface DigestInputs {
  text: string;
}

const digestProvider: pulumi.dynamic.ResourceProvider<DigestInputs> = {
  async create(inputs) {
    const digest = require('node:crypto').createHash('sha256').update(inputs.text).digest('hex') as string;
    return { id: digest.slice(0, 16), outs: { text: inputs.text, digest, pid: process.pid } };
  },
  async diff(_id, olds: DigestInputs, news: DigestInputs) {
    return { changes: olds.text !== news.text, replaces: olds.text !== news.text ? ['text'] : [] };
  },
};

class Digest extends pulumi.dynamic.Resource {
  declare readonly digest: pulumi.Output<string>;
  declare readonly pid: pulumi.Output<number>;
  constructor(name: string, args: { text: pulumi.Input<string> }, opts?: pulumi.CustomResourceOptions) {
    super(digestProvider, name, { ...args, digest: undefined, pid: undefined }, opts, 'smoke', 'Digest');
  }
}

async function main() {
  const config = new pulumi.Config();
  const digest = new Digest('greeting', { text: config.get('text') ?? 'hello from flex-transfer' });
  return { digest: digest.digest, providerPid: digest.pid, stack: pulumi.getStack() };
}

// Pulumi's Node runner calls the module's export when it is a function (not `exports.default`).
export = main;
