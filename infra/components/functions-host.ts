// Where the transfer functions live: a Serverless Service and one Environment
// per stack. Created first, because the workflows' callback URLs and the
// workspace's event callback need the environment's domain in the same run.
import * as pulumi from '@pulumi/pulumi';
import { adoptionInputs, COMPONENTS, NAMES } from '../adoption-plan';
import type { Adoption } from '../config';
import { Environment } from '../providers/serverless/environment';
import { Service } from '../providers/serverless/service';

export interface FunctionsHostArgs {
  /** The Service's unique name (also the start of its domain). */
  serviceName: string;
  /** The Environment's unique name, e.g. the stack name. */
  environment: string;
  /** Domain suffix, e.g. `dev` → `<service>-1234-dev.twil.io`. */
  domainSuffix: string;
  /** Emulator base URL, when the stack targets the emulator: changes how the base URL is formed. */
  apiBaseUrl?: string;
  /** Adopt this existing service (e.g. flex-project-template's) instead of creating one; this stack's Environment goes into it. */
  adopt?: Adoption;
}

export class FunctionsHost extends pulumi.ComponentResource {
  readonly serviceSid: pulumi.Output<string>;
  readonly environmentSid: pulumi.Output<string>;
  /** e.g. `flex-transfer-1234-dev.twil.io` */
  readonly domainName: pulumi.Output<string>;
  /** Public URL the functions answer on (https on Twilio; the emulator's runtime path locally). */
  readonly baseUrl: pulumi.Output<string>;

  constructor(name: string, args: FunctionsHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super(COMPONENTS.functionsHost.type, name, {}, opts);
    const service = new Service(
      NAMES.service,
      args.adopt
        ? // The functions need the account's credentials in their context; nothing else of the service is the stack's.
          { ...adoptionInputs(args.adopt), includeCredentials: true }
        : { uniqueName: args.serviceName, friendlyName: `Flex transfers (${args.serviceName})`, includeCredentials: true, uiEditable: false },
      { parent: this },
    );
    const environment = new Environment(NAMES.environment, { serviceSid: service.sid, uniqueName: args.environment, domainSuffix: args.domainSuffix }, { parent: this });
    this.serviceSid = service.sid;
    this.environmentSid = environment.sid;
    this.domainName = environment.domainName;
    this.baseUrl = environment.domainName.apply((domain) => functionsBaseUrl(domain, args.apiBaseUrl));
    this.registerOutputs({ serviceSid: this.serviceSid, environmentSid: this.environmentSid, domainName: this.domainName, baseUrl: this.baseUrl });
  }
}

/** Twilio serves functions at https://<domain>; the emulator at <base>/runtime/<domain>. */
export function functionsBaseUrl(domain: string, apiBaseUrl?: string): string {
  return apiBaseUrl ? `${apiBaseUrl.replace(/\/+$/, '')}/runtime/${domain}` : `https://${domain}`;
}
