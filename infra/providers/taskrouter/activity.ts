// TaskRouter Activity. `available` cannot change after creation (Twilio
// silently ignores it), so a new value replaces the activity; the friendly
// name is updatable. Existing activities can be adopted by friendly name.
import * as pulumi from "@pulumi/pulumi";
import { createSafely } from "../runtime/create-safely";
import type { ResourceType } from "../runtime/define";
import { TwilioSidResource, type ArgsOf } from "../resource";
import { deleteIfPresent, retryIdempotent } from "../runtime/retry";
import { Checks } from "../runtime/validate";

export interface ActivityInputs {
  workspaceSid: string;
  friendlyName: string;
  available: boolean;
  /** Adopt the workspace's existing activity of this friendly name (never deleted). */
  adopt?: boolean;
}

export interface ActivityOutputs extends ActivityInputs {
  sid: string;
  adopted: boolean;
}

interface ActivityApi {
  sid: string;
  friendlyName: string;
  available: boolean;
}

const toOutputs = (i: ActivityInputs, a: ActivityApi, adopted: boolean): ActivityOutputs => ({
  ...i,
  sid: a.sid,
  friendlyName: a.friendlyName,
  available: a.available,
  adopted,
});

export const activityType: ResourceType<ActivityInputs, ActivityOutputs> = {
  kind: "Activity",
  label: (p) => `Activity "${p.friendlyName ?? "?"}"${p.adopt ? " (adopted)" : ""}`,
  normalize: (i) => ({ ...i, adopt: i.adopt ?? false }),
  validate: (i, known) => new Checks(i, known).sid("workspaceSid", "WS").text("friendlyName", 64).boolean("available", true).boolean("adopt").failures,
  diffKeys: ["workspaceSid", "friendlyName", "available", "adopt"],
  replaceKeys: ["workspaceSid", "available", "adopt"],
  async create(i, twilio) {
    const label = activityType.label(i);
    const activities = twilio.client.taskrouter.v1.workspaces(i.workspaceSid).activities;
    const find = async () => (await activities.list({ friendlyName: i.friendlyName })).filter((a) => a.friendlyName === i.friendlyName);
    if (i.adopt) {
      const found = await twilio.call(label, "find it", () => retryIdempotent(find));
      if (found.length !== 1) throw new Error(`${label}: workspace ${i.workspaceSid} has no activity named '${i.friendlyName}' to adopt`);
      if (found[0].available !== i.available) {
        throw new Error(`${label}: the existing activity has available=${found[0].available}, the program says ${i.available}; Twilio cannot change it`);
      }
      return { id: found[0].sid, outs: toOutputs(i, found[0], true) };
    }
    const a = await twilio.call(label, "create it", () =>
      createSafely<ActivityApi>({ describe: label, create: () => activities.create({ friendlyName: i.friendlyName, available: i.available }), find }),
    );
    return { id: a.sid, outs: toOutputs(i, a, false) };
  },
  async read(id, olds, twilio) {
    const a = await twilio.call(activityType.label(olds), "read it", () =>
      retryIdempotent(() => twilio.client.taskrouter.v1.workspaces(olds.workspaceSid).activities(id).fetch()),
    );
    return toOutputs(olds, a, olds.adopted);
  },
  async update(id, olds, news, twilio) {
    const a = await twilio.call(activityType.label(news), "update it", () =>
      retryIdempotent(() => twilio.client.taskrouter.v1.workspaces(news.workspaceSid).activities(id).update({ friendlyName: news.friendlyName })),
    );
    return toOutputs(news, a, olds.adopted);
  },
  async delete(id, olds, twilio) {
    if (olds.adopted) return;
    await twilio.call(activityType.label(olds), "delete it", () =>
      deleteIfPresent(() => twilio.client.taskrouter.v1.workspaces(olds.workspaceSid).activities(id).remove()),
    );
  },
};

export type ActivityArgs = ArgsOf<ActivityInputs>;

export class Activity extends TwilioSidResource {
  declare readonly adopted: pulumi.Output<boolean>;
  constructor(name: string, args: ActivityArgs, opts?: pulumi.CustomResourceOptions) {
    super("Activity", name, { adopted: undefined, ...args }, opts);
  }
}
