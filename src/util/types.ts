// Type helpers shared by the registries that gather one record per family or source.

/** `A | B` → `A & B`: the members of every record of a union at once. */
export type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void
  ? I
  : never;
