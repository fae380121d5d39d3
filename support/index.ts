/**
 * What tests and benchmarks share to drive the project end to end: the
 * repository root, the emulator on a manual clock, the transfer stack
 * deployed to it with a real `pulumi up`, the steps Flex, agents and
 * callers take (chats, calls, reservations, calls to the deployed functions),
 * and the Serverless Toolkit's `twilio-run` as a second Functions runtime.
 *
 * Waiting for the emulator's asynchronous work is the emulator's own
 * `emu.whenIdle()`; the environment that points a client at it is
 * `emu.twilioEnv()`.
 */
export { REPO_ROOT } from '../tools/pulumi-cli';
export { START, startManualEmulator } from './emulator';
export { COMPILED_FUNCTIONS, SOURCE_FUNCTIONS, assertCompiledFunctionsFresh, deployTransferStack, type DeployOptions, type TransferStack } from './deploy';
export * from './scenario';
export { RUNTIMES, serveOn, serveStackOnTwilioRun, startTwilioRun, type RuntimeName, type TwilioRunProject, type TwilioRunServer } from './twilio-run';
