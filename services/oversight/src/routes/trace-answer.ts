import { z } from 'zod'

// What GET /v1/oversight/claims/{claim}/trace answers (trace/claim-trace.ts builds it), named for
// the OpenAPI document and checked as it is sent.

const eventBrief = z
  .object({
    id: z.string(),
    type: z.string(),
    stream: z.string(),
    revision: z.int(),
    position: z.string().describe('The event’s position in the log (a decimal integer).'),
    occurredAt: z.string(),
    recordedAt: z.string(),
  })
  .meta({ id: 'TracedEvent', description: 'An event of the record, by id, type, stream and position.' })

const sharedBy = { workers: z.array(z.string()), total: z.int() }

const example = {
  claim: {
    claim: 'claim-0191b7a4',
    worker: '5f2c0e1a9b7d4c3e8f6a2b1c0d9e8f7a',
    kind: 'vocational_skill',
    region: '130102',
    amount: 150000,
    status: 'paid',
    claimedOn: '2026-02-20',
    occupationCode: '4-10-01-01',
    level: 4,
    class: 'class-130102-0042',
    certificate: 'cert-0191b7a4',
    paidAmount: 150000,
    clawedBack: 0,
  },
  events: [
    {
      id: '0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e6',
      type: 'SubsidyPaid',
      stream: 'subsidy-5f2c0e1a9b7d4c3e8f6a2b1c0d9e8f7a',
      revision: 3,
      position: '1024',
      occurredAt: '2026-03-02T08:00:00.000Z',
      recordedAt: '2026-03-02T08:00:00.012Z',
    },
  ],
  payments: [],
  class: null,
  institution: null,
  sharing: { classmates: [], devices: [], templates: [], fingerprints: [] },
  alerts: [],
  asOf: { registryPosition: '1024', alertsPosition: '1024' },
  access: {
    event: '0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e8',
    caseRef: 'case-0191b7a4-c2f0-7e3a-9d51-f0a2b3c4d5e6',
  },
}

export const claimTraceSchema = z
  .object({
    claim: z.object({
      claim: z.string(),
      worker: z.string().describe('The worker’s pseudonym.'),
      kind: z.string(),
      region: z.string(),
      amount: z.number().describe('The amount claimed, in fen.'),
      status: z.string(),
      claimedOn: z.string(),
      occupationCode: z.string().nullable(),
      level: z.number().nullable(),
      class: z.string().nullable(),
      certificate: z.string().nullable(),
      paidAmount: z.number().describe('In fen.'),
      clawedBack: z.number().describe('In fen.'),
    }),
    events: z.array(eventBrief).describe('The claim’s own events, from submission to payment and clawback.'),
    payments: z.array(
      z.object({
        event: z.string(),
        position: z.string(),
        occurredAt: z.string(),
        amount: z.number().describe('In fen.'),
        payee: z.object({ kind: z.string(), id: z.string() }),
        ruleSet: z
          .object({ id: z.string(), version: z.int() })
          .describe('The rule set (and version) the payment was decided on.'),
        paymentRef: z.string().describe('The finance system’s reference for the transfer.'),
        evidence: z
          .array(eventBrief.extend({ inLogBeforePayment: z.boolean() }))
          .describe('The evidence events the payment cites, and whether each was logged before it.'),
        unresolvedEvidence: z.array(z.string()).describe('Evidence ids the record does not hold.'),
        evidenceByType: z.record(z.string(), z.int()),
      }),
    ),
    class: z
      .object({
        class: z.string(),
        institution: z.string().nullable(),
        programme: z.string().nullable(),
        region: z.string(),
        mode: z.string().nullable(),
        plannedStart: z.string().nullable(),
        plannedEnd: z.string().nullable(),
        sessions: z.number(),
        closed: z.string().nullable(),
        rosterSize: z.int(),
      })
      .nullable(),
    institution: z
      .object({
        institution: z.string(),
        legalName: z.string(),
        region: z.string(),
        designatedFrom: z.string(),
        delistedFrom: z.string().nullable(),
      })
      .nullable(),
    sharing: z
      .object({
        classmates: z.array(z.string()),
        devices: z.array(z.object({ device: z.string(), ...sharedBy })),
        templates: z.array(z.object({ templateHash: z.string(), ...sharedBy })),
        fingerprints: z.array(z.object({ clientFingerprint: z.string(), ...sharedBy })),
      })
      .describe(
        'Who else shares the worker’s class, check-in devices, face templates and client fingerprints.',
      ),
    alerts: z
      .array(
        z.object({
          alert: z.string(),
          rule: z.string(),
          ruleVersion: z.int(),
          subject: z.object({ kind: z.string(), id: z.string() }),
          summary: z.string(),
          status: z.string(),
          raisedAt: z.string(),
        }),
      )
      .describe(
        'Alerts about the claim, its worker, class, institution or what they share, or citing its events.',
      ),
    asOf: z
      .object({ registryPosition: z.string(), alertsPosition: z.string() })
      .describe('How far the read models behind the trace had read the log.'),
    access: z
      .object({ event: z.string(), caseRef: z.string().nullable() })
      .describe('The RecordAccessed event that logged this read, and the case it cited.'),
  })
  .meta({
    id: 'ClaimTrace',
    description:
      'A claim’s causal trace: the claim and its events, each payment with the evidence it cites, the class and institution, who shares class, device or face, and the alerts about them.',
    example,
  })
