// A claim's causal trace (GET /v1/oversight/claims/{claim}/trace) as a tree to read from the
// claim outwards: its events and payments with the evidence each payment names (and whether that
// evidence was in the log before the payment), its class and institution, the workers who share
// the class, a face-check device, a face template or a client fingerprint, and the alerts on any
// of them. Workers appear by pseudonym, as the API answers.

import { chinaTime, yuan } from './format.js'
import { lang, t } from './i18n.js'
import { occupation } from './occupations.js'
import { eventName } from './ui.js'

let ids = 0
const node = (label, children = [], test) => ({ id: `n${ids++}`, label, children, test })
const when = (instant) => chinaTime(instant, lang.value)

const shared = (title, items, key) =>
  node(
    t('trace.sharedBy', { what: title, n: items.length }),
    items.map((s) =>
      node(
        t('trace.sharedKey', { key: s[key], n: s.total }),
        s.workers.map((w) => node(t('trace.worker', { worker: w }))),
      ),
    ),
  )

/** The tree's nodes (`label`, `children`), for Element Plus's tree. */
export function traceTree(trace) {
  const c = trace.claim
  const claim = node(
    t('trace.claim', {
      claim: c.claim,
      kind: t(`claimKinds.${c.kind}`),
      status: t(`claimStatus.${c.status}`),
      amount: yuan(c.amount, lang.value),
    }),
    [
      node(t('trace.worker', { worker: c.worker })),
      node(t('trace.occupation', { occupation: occupation(c.occupationCode, c.level) })),
      node(
        t('trace.paid', {
          paid: yuan(c.paidAmount, lang.value),
          clawedBack: yuan(c.clawedBack, lang.value),
        }),
      ),
      node(
        t('trace.events', { n: trace.events.length }),
        trace.events.map((e) => node(`${eventName(e.type)} · ${when(e.occurredAt)}`)),
      ),
      ...trace.payments.map((p) =>
        node(
          t('trace.payment', {
            amount: yuan(p.amount, lang.value),
            ref: p.paymentRef,
            time: when(p.occurredAt),
          }),
          [
            ...p.evidence.map((e) =>
              node(
                `${eventName(e.type)} · ${when(e.occurredAt)} · ${e.inLogBeforePayment ? t('trace.before') : t('trace.after')}`,
              ),
            ),
            ...p.unresolvedEvidence.map((id) => node(t('trace.unresolved', { id }))),
          ],
        ),
      ),
    ],
    'trace-claim',
  )
  const roots = [claim]
  if (trace.class) {
    const k = trace.class
    const institution = trace.institution
    roots.push(
      node(
        t('trace.class', {
          class: k.class,
          mode: k.mode,
          from: k.plannedStart,
          to: k.plannedEnd,
          n: k.rosterSize,
        }),
        institution
          ? [
              node(
                t('trace.institution', {
                  name: institution.legalName,
                  id: institution.institution,
                  status: institution.delistedFrom
                    ? t('trace.delisted', { from: institution.delistedFrom })
                    : t('trace.designated', { from: institution.designatedFrom }),
                }),
              ),
            ]
          : [],
      ),
    )
  }
  const s = trace.sharing
  roots.push(
    node(
      t('trace.classmates', { n: s.classmates.length }),
      s.classmates.map((w) => node(t('trace.worker', { worker: w }))),
    ),
    shared(t('trace.devices'), s.devices, 'device'),
    shared(t('trace.templates'), s.templates, 'templateHash'),
    shared(t('trace.fingerprints'), s.fingerprints, 'clientFingerprint'),
    node(
      t('trace.alerts', { n: trace.alerts.length }),
      trace.alerts.map((a) =>
        node(`${a.rule} · ${a.summary} · ${t(`alertStatus.${a.status}`)} · ${when(a.raisedAt)}`),
      ),
      'trace-alerts',
    ),
  )
  return roots
}

/** The events a case may cite from the trace: the claim's own and the evidence of its payments. */
export function traceEvidence(trace) {
  const seen = new Map()
  for (const e of trace.events) seen.set(e.id, `${eventName(e.type)} · ${when(e.occurredAt)}`)
  for (const p of trace.payments)
    for (const e of p.evidence) seen.set(e.id, `${eventName(e.type)} · ${when(e.occurredAt)}`)
  return [...seen].map(([id, label]) => ({ id, label }))
}
