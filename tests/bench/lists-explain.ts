import type pg from 'pg'

// What PostgreSQL itself spends on one page of a list, with the machine's load aside: `EXPLAIN
// ANALYZE` of the statement the list's route sends for its first page and for the page a cursor
// reached (lists.bench.ts). The statements are written out here as the routes build them for the
// filters the bench asks with (services/*/src/routes: list-claims, payments, alerts, cases,
// checkpoint-list, and the store's stream read behind the access log); keep them in step.
//
// The app sends named prepared statements, and after five runs PostgreSQL may keep a generic
// plan (one that cannot see the values); so each statement is prepared and run as the app's
// connections run it, and the plan and time taken are those of later runs: the median of several.

/** A page's statement: the cursor's position (as the cursor carries it) or none for the first page. */
export type PageStatement = (after: readonly unknown[] | undefined) => { text: string; values: unknown[] }

export interface ExplainedPage {
  /** Median `Execution Time` over the runs, ms. */
  ms: number
  /** The plan's nodes, outermost first, each with the index it walks (e.g. `Limit > Index Scan Backward on …`). */
  plan: string
}

/** The cursor's position as the route decodes it (the payload before the tag; the tag is not checked). */
export function positionOf(cursor: string): unknown[] {
  const [payload = ''] = cursor.split('.')
  return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { after: unknown[] }).after
}

/** The quoted table of the newest version of a read model in `trec_read`. */
export async function readModelTable(pool: pg.Pool, model: string, table: string): Promise<string> {
  const { rows } = await pool.query<{ version: number | null }>(
    'select max(version) as version from trec_read.checkpoints where name = $1',
    [model],
  )
  const version = rows[0]?.version
  if (version == null) throw new Error(`no read model ${model} in this database`)
  return `trec_read."${model}_v${version}_${table}"`
}

interface PlanNode {
  'Node Type': string
  'Index Name'?: string
  'Scan Direction'?: string
  'Relation Name'?: string
  Plans?: PlanNode[]
}

const describe = (node: PlanNode): string => {
  const direction = node['Scan Direction'] === 'Backward' ? ' Backward' : ''
  const on = node['Index Name'] ?? node['Relation Name']
  return `${node['Node Type']}${direction}${on ? ` (${on.replace(/^.*_v\d+_/, '')})` : ''}`
}

const nodes = (node: PlanNode): string[] => [describe(node), ...(node.Plans ?? []).flatMap(nodes)]

let statements = 0

/** Runs the page's statement as the app would (prepared, run `runs` + 5 times) and explains the last `runs`. */
export async function explainPage(
  pool: pg.Pool,
  statement: { text: string; values: unknown[] },
  runs = 5,
): Promise<ExplainedPage> {
  const client = await pool.connect()
  const name = `lists_explain_${++statements}`
  try {
    // No parameter types, as the driver prepares it: PostgreSQL infers them from the statement.
    await client.query(`prepare ${name} as ${statement.text}`)
    const args = statement.values
      .map((v) => (v === null ? 'null' : client.escapeLiteral(String(v))))
      .join(', ')
    const execute = `execute ${name}${args ? `(${args})` : ''}`
    for (let i = 0; i < 5; i++) await client.query(execute)
    const times: number[] = []
    let plan = ''
    for (let i = 0; i < runs; i++) {
      const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number }] }>(
        `explain (analyze, format json) ${execute}`,
      )
      const [explained] = rows[0]!['QUERY PLAN']
      times.push(explained['Execution Time'])
      plan = nodes(explained.Plan).join(' > ')
    }
    times.sort((a, b) => a - b)
    return { ms: times[Math.floor(times.length / 2)]!, plan }
  } finally {
    await client.query(`deallocate ${name}`).catch(() => undefined)
    client.release()
  }
}

/**
 * The statement of each list of the bench (by its name there), as its route builds it for the
 * bench's filters and caller: the auditor (no region), the investigator of region `13`, the
 * subsidy officer of city `1305`; the access log is `worker`'s. `payments: summary` is the count
 * the payments list answers with on every page (summed from the projection's counts).
 */
export async function listStatements(
  pool: pg.Pool,
  limit: number,
  worker: string,
): Promise<Record<string, PageStatement>> {
  const claims = await readModelTable(pool, 'subsidy_claims', 'claims')
  const payments = await readModelTable(pool, 'compliance', 'payments')
  const paymentCounts = await readModelTable(pool, 'compliance', 'payment_counts')
  const alerts = await readModelTable(pool, 'oversight_alerts', 'alerts')
  const cases = await readModelTable(pool, 'oversight_casework', 'cases')
  const n = limit + 1
  /** A route's where clause: the filters, then the cursor's condition when there is one. */
  const where = (filters: string[], cursor: string | undefined) => {
    const all = cursor === undefined ? filters : [...filters, cursor]
    return all.length > 0 ? `where ${all.join(' and ')}` : ''
  }
  return {
    claims: (after) => ({
      text: `select * from ${claims} ${where([], after && 'position < $1::int8')} order by position desc limit $${after ? 2 : 1}`,
      values: after ? [after[0], n] : [n],
    }),
    'claims, one city, submitted': (after) => ({
      text: `select * from ${claims} ${where(["region like $1 || '%'", "region like $2 || '%'", 'status = $3'], after && 'position < $4::int8')}
        order by position desc limit $${after ? 5 : 4}`,
      values: ['1305', '1305', 'submitted', ...(after ? [after[0]] : []), n],
    }),
    payments: (after) => ({
      text: `select ${payments}.payment::text as payment, record from ${payments}
        ${where([], after && `${payments}.payment > $1::uuid`)} order by ${payments}.payment limit ${n}`,
      values: after ? [after[0]] : [],
    }),
    'payments: summary': () => ({
      text: `select (sum(n) filter (where backed))::text as backed, (sum(n) filter (where not backed))::text as not_backed
           from ${paymentCounts}`,
      values: [],
    }),
    alerts: (after) => ({
      text: `select * from ${alerts} ${where(["region like $1 || '%'"], after && 'position > $2::int8')} order by position limit ${n}`,
      values: ['13', ...(after ? [after[0]] : [])],
    }),
    'alerts, open': (after) => ({
      text: `select * from ${alerts} ${where(['status = $1', "region like $2 || '%'"], after && 'position > $3::int8')} order by position limit ${n}`,
      values: ['open', '13', ...(after ? [after[0]] : [])],
    }),
    cases: (after) => ({
      text: `select * from ${cases} ${where(["region like $1 || '%'"], after && '(opened_at, case_id) < ($2, $3)')}
         order by opened_at desc, case_id desc limit ${n}`,
      values: ['13', ...(after ?? [])],
    }),
    'audit checkpoints': (after) => ({
      text: `select * from (select c.seq, c.size::text as size, c.timestamp_ms::text as ts, c.root,
          c.note || coalesce(w.lines, '') as note, c.jws, coalesce(w.n, 0) as cosigned
        from trec_audit.checkpoints c
        left join lateral (select string_agg(line, '' order by witness) as lines, count(*)::int as n
          from trec_audit.cosignatures where checkpoint_seq = c.seq) w on true) c ${after ? 'where c.seq < $2' : ''}
        order by c.seq desc limit $1`,
      values: after ? [n, after[0]] : [n],
    }),
    "access log (one worker's)": (after) => ({
      text: `select e.position::text as pos, e.id::text as id, e.stream, e.revision::int4 as rev, e.type, e.data, e.metadata,
        to_char(e.recorded_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as recorded_at
        from trec.events e where e.stream = $1 and e.revision >= $2 order by e.revision asc limit $3`,
      // The cursor holds the worker and the revision the next page starts at.
      values: [`access-${worker}`, after?.[1] ?? 0, n],
    }),
  }
}
