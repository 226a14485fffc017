/**
 * `make`, called on the first call and shared by every later one: a module-scope AWS client that a cold start
 * does not load or build until an invocation needs it. A failed `make` is not kept; the next call tries again.
 */
export function onFirstUse<Value>(make: () => Promise<Value>): () => Promise<Value> {
  let made: Promise<Value> | undefined;
  return () => {
    made ??= make().catch((error: unknown) => {
      made = undefined;
      throw error;
    });
    return made;
  };
}
