// The case work on a traced claim (POST /v1/oversight/cases and its steps): open a case (立案)
// citing the alerts of the trace, link the trace's events as evidence, record findings, decide a
// sanction, ask for the paid subsidy back (追回, amount typed in yuan, sent in fen), close it; the
// case file (GET /v1/oversight/cases/{case}) is shown after each step as a timeline. Each step
// carries its own Idempotency-Key, renewed once it is done, so a retried click is answered once.

import {
  ElButton,
  ElCheckbox,
  ElCheckboxGroup,
  ElDescriptions,
  ElDescriptionsItem,
  ElInput,
  ElInputNumber,
  ElRadioButton,
  ElRadioGroup,
  ElTimeline,
  ElTimelineItem,
} from 'element-plus'
import { h, reactive, ref, shallowRef } from 'vue'
import { api, newKey, send } from './api.js'
import { chinaTime, yuan } from './format.js'
import { lang, t } from './i18n.js'
import { traceEvidence } from './trace-graph.js'
import { card, eventName, failed, outcome } from './ui.js'

const conclusions = ['fraud_confirmed', 'irregularity', 'no_violation', 'inconclusive']
const sanctions = [
  'warning',
  'rectification_order',
  'suspension',
  'delisting',
  'certificate_revocation',
  'referral_police',
  'referral_discipline',
]
const reasons = ['false_training', 'fraudulent_claim', 'duplicate_benefit', 'certificate_revoked', 'other']
const outcomes = ['substantiated', 'unsubstantiated', 'referred', 'withdrawn']

const radios = (value, set, options, label, words) =>
  h(ElRadioGroup, { modelValue: value, 'onUpdate:modelValue': set, 'aria-label': label, size: 'small' }, () =>
    options.map((o) => h(ElRadioButton, { value: o }, () => t(`${words}.${o}`))),
  )

const text = (form, field, label, test, width = '480px') =>
  h(ElInput, {
    modelValue: form[field],
    'onUpdate:modelValue': (v) => (form[field] = v),
    style: `width: ${width}`,
    placeholder: label,
    'aria-label': label,
    'data-test': test,
  })

export const caseWork = {
  /** `existing`: the case the trace was read under, to go on with instead of opening one. */
  props: { trace: Object, alert: Object, existing: String },
  emits: ['opened'],
  setup(props, { emit }) {
    const c = props.trace.claim
    const candidates = traceEvidence(props.trace)
    const open = reactive({
      title: props.alert?.summary ?? t('inv.caseTitle', { claim: c.claim }),
      basis: props.alert ? 'alert' : 'other',
      alerts: props.trace.alerts.map((a) => a.alert),
    })
    const evidence = reactive({ events: candidates.map((e) => e.id), note: '' })
    const findings = reactive({ conclusion: 'fraud_confirmed', findings: '' })
    const sanction = reactive({
      kind: props.trace.institution ? 'institution' : 'worker',
      id: props.trace.institution?.institution ?? c.worker,
      sanction: 'warning',
      note: '',
    })
    const recoverable = Math.max(c.paidAmount - c.clawedBack, 0)
    const clawback = reactive({ yuan: recoverable / 100, reason: 'false_training', note: '' })
    const closing = reactive({ outcome: 'substantiated', note: '' })
    const confirm = reactive({ note: '' })
    const keys = reactive({
      open: newKey(),
      evidence: newKey(),
      findings: newKey(),
      sanction: newKey(),
      clawback: newKey(),
      close: newKey(),
      confirm: newKey(),
    })
    const caseId = ref(props.existing ?? '')
    const file = shallowRef()
    const state = ref()

    async function reload() {
      file.value = await api(`/v1/oversight/cases/${encodeURIComponent(caseId.value)}`)
    }
    if (caseId.value) reload().catch((error) => (state.value = failed(error)))

    /** Runs one step with its key; on success renews the key and shows the case file. */
    async function step(name, path, body, done) {
      try {
        const answer = await send(path, body, keys[name])
        keys[name] = newKey()
        if (done) done(answer)
        await reload()
        state.value = { type: 'success', text: t(`case.done.${name}`) }
      } catch (error) {
        state.value = failed(error)
      }
    }

    const openCase = () =>
      step(
        'open',
        '/v1/oversight/cases',
        {
          title: open.title.trim(),
          region: c.region,
          basis: open.basis,
          subjects: [
            { kind: 'claim', id: c.claim },
            { kind: 'worker', id: c.worker },
          ],
          alerts: open.alerts,
        },
        (answer) => {
          caseId.value = answer.case
          emit('opened', answer.case)
        },
      )
    /** Confirms the alerts the case cites (each its own request, keyed from the step's key). */
    async function confirmAlerts() {
      try {
        const alerts = file.value?.alerts ?? []
        for (const [i, alert] of alerts.entries())
          await send(
            `/v1/oversight/alerts/${encodeURIComponent(alert)}/resolution`,
            { resolution: 'confirmed', case: caseId.value, note: confirm.note.trim() },
            `${keys.confirm}-${i}`,
          )
        keys.confirm = newKey()
        state.value = { type: 'success', text: t('case.done.confirm', { n: alerts.length }) }
      } catch (error) {
        state.value = failed(error)
      }
    }
    const at = (suffix) => `/v1/oversight/cases/${encodeURIComponent(caseId.value)}/${suffix}`

    const button = (label, onClick, test) =>
      h(ElButton, { type: 'primary', onClick, 'data-test': test }, () => label)

    const fileView = () => {
      const f = file.value
      return [
        h(ElDescriptions, { column: 3, border: true, size: 'small', 'data-test': 'case-file' }, () => [
          h(ElDescriptionsItem, { label: t('case.id') }, () => h('span', { class: 'mono' }, f.case)),
          h(ElDescriptionsItem, { label: t('case.status') }, () => t(`case.statuses.${f.status}`)),
          h(ElDescriptionsItem, { label: t('case.conclusionLabel') }, () =>
            f.conclusion ? t(`conclusions.${f.conclusion}`) : '—',
          ),
          h(ElDescriptionsItem, { label: t('case.alertsLinked') }, () => String(f.alerts.length)),
          h(ElDescriptionsItem, { label: t('case.evidenceLinked') }, () => String(f.evidence.length)),
          h(
            ElDescriptionsItem,
            { label: t('case.requested') },
            () =>
              Object.entries(f.requestedClawbacks)
                .map(([claim, fen]) => `${claim}: ${yuan(fen, lang.value)}`)
                .join('; ') || '—',
          ),
        ]),
        h(ElTimeline, { style: 'margin-top: 16px', 'data-test': 'case-timeline' }, () =>
          f.events.map((e) =>
            h(
              ElTimelineItem,
              { timestamp: chinaTime(e.occurredAt, lang.value), placement: 'top' },
              () => `${eventName(e.type)} · ${e.actor?.kind ?? ''}:${e.actor?.id ?? ''}`,
            ),
          ),
        ),
      ]
    }

    return () =>
      card(
        caseId.value ? t('case.titleOf', { case: caseId.value }) : t('case.title'),
        t('case.hint'),
        () =>
          !caseId.value
            ? [
                h('div', { class: 'row' }, [
                  text(open, 'title', t('case.caseTitle'), 'case-title'),
                  radios(
                    open.basis,
                    (v) => (open.basis = v),
                    ['alert', 'sampling', 'tip_off', 'audit_finding', 'other'],
                    t('case.basis'),
                    'case.bases',
                  ),
                ]),
                props.trace.alerts.length
                  ? h('div', { class: 'row', style: 'margin-top: 12px' }, [
                      h('span', t('case.citeAlerts')),
                      h(
                        ElCheckboxGroup,
                        {
                          modelValue: open.alerts,
                          'onUpdate:modelValue': (v) => (open.alerts = v),
                          'aria-label': t('case.citeAlerts'),
                        },
                        () =>
                          props.trace.alerts.map((a) =>
                            h(ElCheckbox, { value: a.alert }, () => `${a.rule} · ${a.summary}`),
                          ),
                      ),
                    ])
                  : null,
                h('div', { class: 'row', style: 'margin-top: 12px' }, [
                  button(t('case.open'), openCase, 'open-case'),
                ]),
                outcome(state.value, 'case-state'),
              ]
            : [
                outcome(state.value, 'case-state'),
                h('h3', t('case.evidence')),
                h(
                  ElCheckboxGroup,
                  {
                    modelValue: evidence.events,
                    'onUpdate:modelValue': (v) => (evidence.events = v),
                    'aria-label': t('case.evidence'),
                    class: 'stack',
                  },
                  () => candidates.map((e) => h(ElCheckbox, { value: e.id }, () => e.label)),
                ),
                h('div', { class: 'row' }, [
                  text(evidence, 'note', t('case.note'), 'evidence-note'),
                  button(
                    t('case.link'),
                    () =>
                      step('evidence', at('evidence'), {
                        evidence: evidence.events,
                        ...(evidence.note.trim() ? { note: evidence.note.trim() } : {}),
                      }),
                    'link-evidence',
                  ),
                ]),
                h('h3', t('case.confirm')),
                h('div', { class: 'row' }, [
                  text(confirm, 'note', t('case.note'), 'confirm-note'),
                  button(t('case.confirmIt'), confirmAlerts, 'confirm-alerts'),
                ]),
                h('h3', t('case.findings')),
                h('div', { class: 'row' }, [
                  radios(
                    findings.conclusion,
                    (v) => (findings.conclusion = v),
                    conclusions,
                    t('case.conclusionLabel'),
                    'conclusions',
                  ),
                  text(findings, 'findings', t('case.findingsText'), 'findings-text'),
                  button(
                    t('case.record'),
                    () =>
                      step('findings', at('findings'), {
                        conclusion: findings.conclusion,
                        findings: findings.findings.trim(),
                        evidence: evidence.events,
                      }),
                    'record-findings',
                  ),
                ]),
                h('h3', t('case.sanction')),
                h('div', { class: 'row' }, [
                  radios(
                    sanction.kind,
                    (v) => (sanction.kind = v),
                    ['institution', 'evaluator', 'teacher', 'enterprise', 'worker'],
                    t('case.target'),
                    'subjects',
                  ),
                  text(sanction, 'id', t('case.targetId'), 'sanction-target', '300px'),
                ]),
                h('div', { class: 'row', style: 'margin-top: 8px' }, [
                  radios(
                    sanction.sanction,
                    (v) => (sanction.sanction = v),
                    sanctions,
                    t('case.sanction'),
                    'sanctions',
                  ),
                ]),
                h('div', { class: 'row', style: 'margin-top: 8px' }, [
                  text(sanction, 'note', t('case.note'), 'sanction-note'),
                  button(
                    t('case.decide'),
                    () =>
                      step('sanction', at('sanctions'), {
                        target: { kind: sanction.kind, id: sanction.id.trim() },
                        sanction: sanction.sanction,
                        note: sanction.note.trim(),
                      }),
                    'decide-sanction',
                  ),
                ]),
                h('h3', t('case.clawback')),
                h(
                  'p',
                  { class: 'hint' },
                  t('case.clawbackHint', { claim: c.claim, open: yuan(recoverable, lang.value) }),
                ),
                h('div', { class: 'row' }, [
                  h('label', { class: 'file-label' }, [
                    t('case.amountYuan'),
                    h(ElInputNumber, {
                      modelValue: clawback.yuan,
                      'onUpdate:modelValue': (v) => (clawback.yuan = v),
                      min: 0.01,
                      precision: 2,
                      step: 100,
                      'aria-label': t('case.amountYuan'),
                      'data-test': 'clawback-amount',
                    }),
                  ]),
                  radios(
                    clawback.reason,
                    (v) => (clawback.reason = v),
                    reasons,
                    t('case.reason'),
                    'clawbackReasons',
                  ),
                ]),
                h('div', { class: 'row', style: 'margin-top: 8px' }, [
                  text(clawback, 'note', t('case.note'), 'clawback-note'),
                  button(
                    t('case.request'),
                    () =>
                      step('clawback', at('clawback-requests'), {
                        claim: c.claim,
                        amount: Math.round(clawback.yuan * 100),
                        reason: clawback.reason,
                        evidence: evidence.events,
                        ...(clawback.note.trim() ? { note: clawback.note.trim() } : {}),
                      }),
                    'request-clawback',
                  ),
                ]),
                h('h3', t('case.close')),
                h('div', { class: 'row' }, [
                  radios(
                    closing.outcome,
                    (v) => (closing.outcome = v),
                    outcomes,
                    t('case.outcome'),
                    'case.outcomes',
                  ),
                  text(closing, 'note', t('case.note'), 'close-note', '300px'),
                  button(
                    t('case.closeIt'),
                    () =>
                      step('close', at('closure'), {
                        outcome: closing.outcome,
                        ...(closing.note.trim() ? { note: closing.note.trim() } : {}),
                      }),
                    'close-case',
                  ),
                ]),
                file.value ? h('h3', t('case.file')) : null,
                file.value ? fileView() : null,
              ],
        'case',
      )
  },
}
