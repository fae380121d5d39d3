// Where the transfer functions live: a Serverless Service and one Environment
// per stack. Created first, because the workflows' callback URLs and the
// workspace's event callback need the environment's domain in the same run.
import * as pulumi from "@pulumi/pulumi";
import { Environment } from "../providers/serverless/environment";
import { Service } from "../providers/serverless/service";

export interface FunctionsHostArgs {
  /** The Service's unique name (also the start of its domain). */
  serviceName: string;
  /** The Environment's unique name, e.g. the stack name. */
  environment: string;
  /** Domain suffix, e.g. `dev` → `<service>-1234-dev.twil.io`. */
  domainSuffix: string;
  /** Emulator base URL, when the stack targets the emulator: changes how the base URL is formed. */
  apiBaseUrl?: string;
}

export class FunctionsHost extends pulumi.ComponentResource {
  readonly serviceSid: pulumi.Output<string>;
  readonly environmentSid: pulumi.Output<string>;
  /** e.g. `flex-transfer-1234-dev.twil.io` */
  readonly domainName: pulumi.Output<string>;
  /** Public URL the functions answer on (https on Twilio; the emulator's runtime path locally). */
  readonly baseUrl: pulumi.Output<string>;

  constructor(name: string, args: FunctionsHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flex-transfer:index:FunctionsHost", name, {}, opts);
    const service = new Service(
      `${name}-service`,
      { uniqueName: args.serviceName, friendlyName: `Flex transfers (${args.serviceName})`, includeCredentials: true, uiEditable: false },
      { parent: this },
    );
    const environment = new Environment(
      `${name}-environment`,
      { serviceSid: service.sid, uniqueName: args.environment, domainSuffix: args.domainSuffix },
      { parent: this },
    );
    this.serviceSid = service.sid;
    this.environmentSid = environment.sid;
    this.domainName = environment.domainName;
    this.baseUrl = environment.domainName.apply((domain) => functionsBaseUrl(domain, args.apiBaseUrl));
    this.registerOutputs({ serviceSid: this.serviceSid, environmentSid: this.environmentSid, domainName: this.domainName, baseUrl: this.baseUrl });
  }
}

/** Twilio serves functions at https://<domain>; the emulator at <base>/runtime/<domain>. */
export function functionsBaseUrl(domain: string, apiBaseUrl?: string): string {
  return apiBaseUrl ? `${apiBaseUrl.replace(/\/+$/, "")}/runtime/${domain}` : `https://${domain}`;
}
