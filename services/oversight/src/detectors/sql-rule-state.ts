import type { Query } from '@trec/eventstore'
import type { RuleState } from './fraud-rule.ts'

const absent = Symbol('absent')

/**
 * A rule's state slots in one `key → jsonb` table, read inside the batch's transaction. Slots
 * are loaded together before the batch (`preload`), or one by one on a miss; every slot written
 * (`set`, `delete`) is saved back at the end of the batch, in the same transaction as the
 * checkpoint. A slot only read is not written back: rules write back what they change with
 * `set`, as `RuleState` asks (the in-memory state of the rule tests hands out copies, so a rule
 * that changed a slot in place without `set` would fail there).
 */
export class SqlRuleState implements RuleState {
  readonly #query: Query
  readonly #table: string
  readonly #cache = new Map<string, unknown>()
  readonly #dirty = new Set<string>()
  /** The answer `get` gave for a slot, given again until the slot is written. */
  readonly #reads = new Map<string, Promise<unknown>>()

  constructor(query: Query, table: string) {
    this.#query = query
    this.#table = table
  }

  async preload(keys: Iterable<string>): Promise<void> {
    const missing = [...new Set(keys)].filter((k) => !this.#cache.has(k))
    if (missing.length === 0) return
    for (const k of missing) this.#cache.set(k, absent)
    const rows = await this.#query<{ key: string; value: unknown }>(
      `select key, value from ${this.#table} where key = any($1::text[])`,
      [missing],
    )
    for (const row of rows) this.#cache.set(row.key, row.value)
  }

  get<T>(key: string): Promise<T | undefined> {
    // Not an async function, and one settled promise per slot until it is written: a batch
    // reads preloaded slots hundreds of thousands of times, and an async function's frame and
    // promise for each read was one of the larger costs of a batch (about 3% of the CPU time).
    let read = this.#reads.get(key)
    if (read === undefined) {
      const value = this.#cache.get(key)
      read = value === undefined ? this.#load(key) : Promise.resolve(value === absent ? undefined : value)
      this.#reads.set(key, read)
    }
    return read as Promise<T | undefined>
  }

  async #load(key: string): Promise<unknown> {
    await this.preload([key])
    const value = this.#cache.get(key)
    return value === absent ? undefined : value
  }

  set(key: string, value: unknown): void {
    this.#cache.set(key, value === undefined ? absent : value)
    this.#reads.delete(key)
    this.#dirty.add(key)
  }

  delete(key: string): void {
    this.set(key, undefined)
  }

  async save(): Promise<void> {
    // The batch's slots as one JSON object, written member by member: an object built with
    // thousands of keys is a dictionary that `JSON.stringify` takes its slow path for (about half
    // as fast on R7's attendance slots).
    const upserts: string[] = []
    const deletes: string[] = []
    for (const key of this.#dirty) {
      const value = this.#cache.get(key)
      if (value === absent) deletes.push(key)
      else upserts.push(`${JSON.stringify(key)}:${JSON.stringify(value)}`)
    }
    if (upserts.length > 0)
      await this.#query(
        // `json_each` and a cast per value, not `jsonb_each`: the server then parses each slot
        // once from text, instead of parsing the whole batch into one jsonb and copying every slot
        // out of it again (about half the server's time for large slots such as R7's attendance).
        `insert into ${this.#table} (key, value) select key, value::jsonb from json_each($1::json)
         on conflict (key) do update set value = excluded.value`,
        [`{${upserts.join(',')}}`],
      )
    if (deletes.length > 0)
      await this.#query(`delete from ${this.#table} where key = any($1::text[])`, [deletes])
    this.#dirty.clear()
  }
}
