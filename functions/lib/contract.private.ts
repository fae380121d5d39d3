/**
 * The contract: every name more than one layer relies on (infra, functions,
 * workflows, policy, tools, the emulator). It is deployed with the functions
 * as the private function `lib/contract`, and imported directly everywhere
 * else, so a name is spelled in exactly one place. Constants only: this
 * module imports nothing, so it loads the same in Node and in Twilio's
 * Functions runtime.
 */

/**
 * Request header naming the endpoint of ours that makes a Twilio API call
 * (e.g. `chat/transfer`). Twilio ignores it; the local emulator logs it and
 * its fault and latency rules can match on it, so a test can tell the calls
 * of the function it invoked from those of an event callback running meanwhile.
 */
export const CALLER_HEADER = 'Flex-Transfer-Caller';
