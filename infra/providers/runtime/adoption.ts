// Adopted objects (the Flex workspace, Flex's task channels, ...) are not the
// stack's to delete. The stack changes only the fields it declares, records
// each field's value from before it first touched it, and on destroy puts
// those values back: the object is left as it was found.

/** Values of the declared fields as they were before the stack changed them. */
export type Originals = Record<string, unknown>;

/**
 * Adds, for every field the program declares now and that has no recorded
 * original yet, its current live value.
 */
export function recordOriginals<T extends object>(
  originals: Originals | undefined,
  declared: Partial<T>,
  live: Partial<T>,
  fields: ReadonlyArray<keyof T>,
): Originals {
  const out: Originals = { ...(originals ?? {}) };
  for (const field of fields) {
    if (declared[field] !== undefined && !(String(field) in out)) out[String(field)] = live[field] ?? null;
  }
  return out;
}

/** The fields whose declared value differs from the live one. */
export function changedFields<T extends object>(declared: Partial<T>, live: Partial<T>, fields: ReadonlyArray<keyof T>): Partial<T> {
  const out: Partial<T> = {};
  for (const field of fields) {
    if (declared[field] !== undefined && declared[field] !== live[field]) out[field] = declared[field];
  }
  return out;
}
