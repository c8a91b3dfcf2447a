// The subsidy officer's page: the rule set in force in a region on a day, with the rulebook
// events that show it, and its amendment (a new version from a later day, edited as JSON); the
// year's subsidised person-times (人次) against the plan target, by population group and kind,
// and the target set anew; KPIs per institution (by name) or region, as bars.

import {
  ElButton,
  ElDescriptions,
  ElDescriptionsItem,
  ElInput,
  ElInputNumber,
  ElProgress,
  ElRadioButton,
  ElRadioGroup,
  ElTable,
  ElTag,
} from 'element-plus'
import { h, reactive, ref, shallowRef } from 'vue'
import { api, newKey, send, token } from './api.js'
import { model } from './bind.js'
import { chinaTime, chinaToday, percent, yuan } from './format.js'
import { lang, t } from './i18n.js'
import { objectionsQueue } from './objections.js'
import { card, column, eventName, failed, more, outcome, paged, query } from './ui.js'

/** A share as a bar (Element Plus's progress), the figure beside it. */
const bar = (share, text) =>
  share === null || share === undefined
    ? h('span', text ?? '—')
    : h(ElProgress, {
        percentage: Math.min(100, Math.round(share * 1000) / 10),
        format: () => text ?? percent(share),
        strokeWidth: 14,
        'aria-label': text ?? percent(share),
      })

const input = (value, label, width, test) =>
  h(ElInput, {
    ...model(value),
    style: `width: ${width}`,
    placeholder: label,
    'aria-label': label,
    'data-test': test,
  })

const names = reactive(new Map())
async function learnInstitution(id) {
  if (names.has(id)) return
  names.set(id, id)
  try {
    names.set(id, `${(await api(`/v1/institutions/${encodeURIComponent(id)}`)).legalName}（${id}）`)
  } catch {}
}

/** A kind's subsidy standard: a ceiling a person (and for shortage occupations), or an amount a level. */
function standard(a) {
  if (!a) return '—'
  const money = (fen) => yuan(fen, lang.value)
  if (a.basis === 'cap')
    return [
      t('off.cap', { amount: money(a.perPerson) }),
      a.shortagePerPerson ? t('off.shortageCap', { amount: money(a.shortagePerPerson) }) : '',
    ].join('')
  return Object.entries(a.byLevel)
    .map(([level, fen]) => `${t('level', { level })} ${money(fen)}`)
    .join('、')
}

function ruleSetView(answer) {
  const s = answer.ruleSet
  const kinds = Object.entries(s.kinds ?? {}).map(([kind, rule]) => ({ kind, ...rule }))
  return [
    h(ElDescriptions, { column: 2, border: true, size: 'small', 'data-test': 'rule-set' }, () => [
      h(ElDescriptionsItem, { label: t('off.ruleSetTitle') }, () => s.title),
      h(ElDescriptionsItem, { label: t('off.ruleSetId') }, () => `${s.id} v${s.version}`),
      h(ElDescriptionsItem, { label: t('regionCode') }, () => s.region),
      h(
        ElDescriptionsItem,
        { label: t('off.valid') },
        () => `${s.validFrom} — ${s.validTo ?? t('off.openEnded')}`,
      ),
      h(ElDescriptionsItem, { label: t('off.source'), span: 2 }, () => s.source),
    ]),
    h(ElTable, { data: kinds, rowKey: 'kind', style: 'margin-top: 12px', 'data-test': 'rule-kinds' }, () => [
      column(t('off.kind'), (k) => t(`claimKinds.${k.kind}`), { width: 180 }),
      column(t('off.payees'), (k) => (k.payees ?? []).map((p) => t(`subjects.${p}`)).join('、'), {
        width: 140,
      }),
      column(t('off.standard'), (k) => standard(k.amount)),
      column(t('off.requires'), (k) =>
        Object.entries(k.requires ?? {})
          .filter(([, on]) => on)
          .map(([what]) => t(`off.require.${what}`))
          .join('、'),
      ),
    ]),
    h('h3', t('off.events')),
    h(
      'ul',
      { class: 'plain' },
      answer.events.map((e) =>
        h(
          'li',
          `${eventName(e.type)} · ${e.occurredAt ? chinaTime(e.occurredAt, lang.value) : ''} · ${e.actor ? `${e.actor.kind}:${e.actor.id}` : ''}`,
        ),
      ),
    ),
  ]
}

export const officerView = {
  setup() {
    const own = token.claims()?.region ?? ''
    const region6 = own.padEnd(6, '0')
    const rules = { region: ref(region6), date: ref(chinaToday()) }
    const inForce = shallowRef()
    const rulesState = ref()
    const draft = ref('')
    const reason = ref('')
    const amendKey = ref(newKey())
    const amendState = ref()

    async function readRules() {
      try {
        inForce.value = await api(
          `/v1/rule-sets/in-force?${query({ region: rules.region.value.trim(), date: rules.date.value.trim() })}`,
        )
        const { version: _, ...editable } = inForce.value.ruleSet
        draft.value = JSON.stringify(editable, null, 2)
        rulesState.value = undefined
      } catch (error) {
        inForce.value = undefined
        rulesState.value = failed(error)
      }
    }

    /** Publishes the edited set: as a new version of its set (`amend`), or as a new set. */
    async function publish(asNew) {
      try {
        const ruleSet = JSON.parse(draft.value)
        const answer = asNew
          ? await send('/v1/rule-sets', ruleSet, amendKey.value)
          : await send(
              `/v1/rule-sets/${encodeURIComponent(ruleSet.id)}/versions`,
              { reason: reason.value.trim(), ruleSet },
              amendKey.value,
            )
        amendKey.value = newKey()
        amendState.value = {
          type: 'success',
          text: t('off.amended', { id: answer.ruleSet.id, version: answer.ruleSet.version }),
        }
      } catch (error) {
        amendState.value =
          error instanceof SyntaxError
            ? { type: 'error', text: t('off.badJson', { message: error.message }) }
            : failed(error)
      }
    }

    const plan = { region: ref(own), year: ref(chinaToday().slice(0, 4)) }
    const progress = shallowRef()
    const planState = ref()
    const target = reactive({ personTimes: 1000, source: '' })
    const targetKey = ref(newKey())

    async function readPlan() {
      try {
        progress.value = await api(
          `/v1/compliance/plan-progress?${query({ region: plan.region.value.trim(), year: plan.year.value.trim() })}`,
        )
        planState.value = undefined
      } catch (error) {
        progress.value = undefined
        planState.value = failed(error)
      }
    }

    async function setTarget() {
      try {
        await send(
          '/v1/plan-targets',
          {
            region: plan.region.value.trim(),
            year: plan.year.value.trim(),
            personTimes: target.personTimes,
            source: target.source.trim(),
          },
          targetKey.value,
        )
        targetKey.value = newKey()
        await readPlan()
        planState.value = { type: 'success', text: t('off.targetSet') }
      } catch (error) {
        planState.value = failed(error)
      }
    }

    const kpi = reactive({ by: 'institution', quarter: '' })
    const kpis = ref([])
    const kpiState = ref()
    async function readKpis() {
      try {
        const answer = await api(`/v1/compliance/kpis?${query({ by: kpi.by, quarter: kpi.quarter.trim() })}`)
        if (kpi.by === 'institution')
          await Promise.all(answer.rows.map((r) => learnInstitution(r.key.institution)))
        kpis.value = answer.rows
        kpiState.value = undefined
      } catch (error) {
        kpiState.value = failed(error)
      }
    }

    const pay = reactive({ backed: '', quarter: '' })
    const summary = ref()
    const payments = paged((cursor) =>
      api(
        `/v1/compliance/payments?${query({ backed: pay.backed, quarter: pay.quarter.trim(), limit: 20, cursor })}`,
      ).then((page) => {
        summary.value = page.summary
        return page
      }),
    )

    payments.load()

    const lines = (record) => Object.entries(record ?? {}).map(([key, line]) => ({ key, ...line }))
    const planLine = (line) =>
      bar(
        line.share,
        line.target === null
          ? t('off.noTarget', { actual: line.actual })
          : t('off.ofTarget', { actual: line.actual, target: line.target }),
      )

    return () => [
      card(
        t('off.rules'),
        t('off.rulesHint'),
        () => [
          h('div', { class: 'row' }, [
            input(rules.region, t('off.region6'), '140px', 'rules-region'),
            input(rules.date, t('off.date'), '140px', 'rules-date'),
            h(ElButton, { type: 'primary', onClick: readRules, 'data-test': 'read-rules' }, () =>
              t('off.inForce'),
            ),
          ]),
          outcome(rulesState.value, 'rules-state'),
          inForce.value ? ruleSetView(inForce.value) : null,
          inForce.value
            ? [
                h('h3', t('off.amend')),
                h('p', { class: 'hint' }, t('off.amendHint')),
                h(ElInput, {
                  ...model(draft),
                  type: 'textarea',
                  rows: 10,
                  class: 'mono',
                  'aria-label': t('off.amend'),
                  'data-test': 'rule-draft',
                }),
                h('div', { class: 'row', style: 'margin-top: 8px' }, [
                  input(reason, t('off.reason'), '420px', 'amend-reason'),
                  h(ElButton, { type: 'primary', onClick: () => publish(false), 'data-test': 'amend' }, () =>
                    t('off.amendIt'),
                  ),
                  h(ElButton, { onClick: () => publish(true), 'data-test': 'publish-new' }, () =>
                    t('off.publishNew'),
                  ),
                ]),
                outcome(amendState.value, 'amend-state'),
              ]
            : null,
        ],
        'rules',
      ),
      card(
        t('off.plan'),
        t('off.planHint'),
        () => [
          h('div', { class: 'row' }, [
            input(plan.region, t('off.regionPrefix'), '140px', 'plan-region'),
            input(plan.year, t('off.year'), '100px', 'plan-year'),
            h(ElButton, { type: 'primary', onClick: readPlan, 'data-test': 'read-plan' }, () =>
              t('off.progress'),
            ),
          ]),
          outcome(planState.value, 'plan-state'),
          progress.value
            ? h('div', { 'data-test': 'plan' }, [
                h('p', t('off.personTimes', { source: progress.value.source ?? t('off.noSource') })),
                planLine(progress.value.personTimes),
                h(
                  ElTable,
                  {
                    data: [
                      ...lines(progress.value.byGroup).map((l) => ({ ...l, what: t(`groups.${l.key}`) })),
                      ...lines(progress.value.byKind).map((l) => ({ ...l, what: t(`claimKinds.${l.key}`) })),
                    ],
                    style: 'margin-top: 12px',
                    emptyText: t('none'),
                  },
                  () => [
                    column(t('off.line'), (l) => l.what, { width: 220 }),
                    column(t('off.againstTarget'), planLine),
                  ],
                ),
                h('div', { class: 'row', style: 'margin-top: 12px' }, [
                  h('label', { class: 'file-label' }, [
                    t('off.target'),
                    h(ElInputNumber, {
                      modelValue: target.personTimes,
                      'onUpdate:modelValue': (v) => (target.personTimes = v),
                      min: 1,
                      step: 100,
                      'aria-label': t('off.target'),
                      'data-test': 'target',
                    }),
                  ]),
                  h(ElInput, {
                    modelValue: target.source,
                    'onUpdate:modelValue': (v) => (target.source = v),
                    style: 'width: 320px',
                    placeholder: t('off.targetSource'),
                    'aria-label': t('off.targetSource'),
                    'data-test': 'target-source',
                  }),
                  h(ElButton, { onClick: setTarget, 'data-test': 'set-target' }, () => t('off.setTarget')),
                ]),
              ])
            : null,
        ],
        'plan',
      ),
      card(
        t('off.payments'),
        t('off.paymentsHint'),
        () => [
          h('div', { class: 'row' }, [
            h(
              ElRadioGroup,
              {
                modelValue: pay.backed,
                'onUpdate:modelValue': (v) => {
                  pay.backed = v
                  payments.load()
                },
                'aria-label': t('off.backing'),
                size: 'small',
              },
              () =>
                ['', 'true', 'false'].map((b) =>
                  h(ElRadioButton, { value: b }, () => t(`off.backedFilter.${b || 'all'}`)),
                ),
            ),
            h(ElInput, {
              modelValue: pay.quarter,
              'onUpdate:modelValue': (v) => (pay.quarter = v),
              style: 'width: 140px',
              placeholder: t('off.quarter'),
              'aria-label': t('off.quarter'),
            }),
            h(
              ElButton,
              { type: 'primary', onClick: () => payments.load(), 'data-test': 'read-payments' },
              () => t('search'),
            ),
          ]),
          outcome(payments.state.value, 'payments-state'),
          summary.value
            ? h('p', { 'data-test': 'payments-summary' }, t('off.backedCount', summary.value))
            : null,
          h(
            ElTable,
            { data: payments.rows.value, rowKey: 'payment', 'data-test': 'payments', emptyText: t('none') },
            () => [
              column(t('claim'), (p) => h('span', { class: 'mono' }, p.claim)),
              column(t('off.payee'), (p) => `${t(`subjects.${p.payee.kind}`)} ${p.payee.id}`, { width: 200 }),
              column(t('amount'), (p) => yuan(p.amount, lang.value), { width: 110 }),
              column(t('off.paidOn'), (p) => p.paidOn, { width: 110 }),
              column(t('off.backing'), (p) =>
                p.backed
                  ? h(ElTag, { type: 'success' }, () => t('off.backed'))
                  : h(
                      'ul',
                      { class: 'plain' },
                      p.reasons.map((r) =>
                        h('li', [h(ElTag, { type: 'danger', size: 'small' }, () => r.code), ` ${r.message}`]),
                      ),
                    ),
              ),
            ],
          ),
          more(payments, 'more-payments'),
        ],
        'payments',
      ),
      card(
        t('off.kpis'),
        t('off.kpisHint'),
        () => [
          h('div', { class: 'row' }, [
            h(
              ElRadioGroup,
              {
                modelValue: kpi.by,
                'onUpdate:modelValue': (v) => {
                  kpi.by = v
                  readKpis()
                },
                'aria-label': t('off.by'),
                size: 'small',
              },
              () =>
                ['institution', 'region', 'quarter'].map((d) =>
                  h(ElRadioButton, { value: d }, () => t(`off.dims.${d}`)),
                ),
            ),
            h(ElInput, {
              modelValue: kpi.quarter,
              'onUpdate:modelValue': (v) => (kpi.quarter = v),
              style: 'width: 140px',
              placeholder: t('off.quarter'),
              'aria-label': t('off.quarter'),
            }),
            h(ElButton, { type: 'primary', onClick: readKpis, 'data-test': 'read-kpis' }, () =>
              t('off.kpiRead'),
            ),
          ]),
          outcome(kpiState.value, 'kpi-state'),
          h(
            ElTable,
            { data: kpis.value, style: 'margin-top: 12px', 'data-test': 'kpis', emptyText: t('none') },
            () => [
              column(t(`off.dims.${kpi.by}`), (r) =>
                kpi.by === 'institution'
                  ? (names.get(r.key.institution) ?? r.key.institution)
                  : r.key[kpi.by],
              ),
              column(t('off.completions'), (r) => String(r.completions), { width: 90 }),
              column(t('off.passRate'), (r) => bar(r.passRate), { width: 200 }),
              column(t('off.certRate'), (r) => bar(r.certificationRateAny), { width: 200 }),
              column(t('off.employRate'), (r) => bar(r.employmentRate), { width: 200 }),
            ],
          ),
        ],
        'kpis',
      ),
      h(objectionsQueue),
    ]
  },
}
