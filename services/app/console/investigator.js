// The investigator's page: the alert queue (GET /v1/oversight/alerts, paged), the claims an
// alert points to (GET /v1/claims, filtered by the alert's subject), a claim's causal trace as a
// graph (reading it is logged as an access to the worker's record, under the case once there is
// one), and the case work on it (casework.js).

import { ElButton, ElInput, ElRadioButton, ElRadioGroup, ElTable, ElTag } from 'element-plus'
import { computed, h, reactive, ref, shallowRef } from 'vue'
import { api } from './api.js'
import { model } from './bind.js'
import { caseWork } from './casework.js'
import { chinaTime, yuan } from './format.js'
import { lang, t } from './i18n.js'
import { learnOccupations, occupation } from './occupations.js'
import { traceGraph, traceGraphView } from './trace-graph.js'
import { actionColumn, card, column, failed, more, outcome, paged, query } from './ui.js'

/** The claims an alert points to: its own claim, or those of its worker, class or institution, else its region's. */
function claimFilter(alert) {
  const { kind, id } = alert.subject
  if (kind === 'worker' || kind === 'class' || kind === 'institution') return { [kind]: id }
  return { region: alert.region }
}

export const investigatorView = {
  setup() {
    const filters = reactive({ status: 'open', rule: '' })
    const alerts = paged((cursor) =>
      api(
        `/v1/oversight/alerts?${query({ status: filters.status, rule: filters.rule.trim(), limit: 20, cursor })}`,
      ),
    )
    const alert = shallowRef()
    const claims = paged((cursor) =>
      api(`/v1/claims?${query({ ...claimFilter(alert.value), limit: 20, cursor })}`).then(async (page) => {
        await Promise.all([...new Set(page.items.map((c) => c.region))].map(learnOccupations))
        return page
      }),
    )
    const claimId = ref('')
    const trace = shallowRef()
    const traceState = ref()
    const caseRef = ref('')
    const graph = computed(() => trace.value && traceGraph(trace.value))

    async function readTrace(claim) {
      claimId.value = claim
      try {
        const answer = await api(
          `/v1/oversight/claims/${encodeURIComponent(claim.trim())}/trace?${query({ case: caseRef.value })}`,
        )
        await learnOccupations(answer.claim.region)
        trace.value = answer
        traceState.value = {
          type: answer.access.caseRef ? 'success' : 'warning',
          text: answer.access.caseRef
            ? t('inv.readUnderCase', { case: answer.access.caseRef })
            : t('inv.readWithoutCase'),
        }
      } catch (error) {
        trace.value = undefined
        traceState.value = failed(error)
      }
    }

    function pick(row) {
      alert.value = row
      if (row.subject.kind === 'claim') return readTrace(row.subject.id)
      return claims.load()
    }

    const caseStatus = ref('open')
    const cases = paged((cursor) =>
      api(`/v1/oversight/cases?${query({ status: caseStatus.value, limit: 20, cursor })}`),
    )

    /** Goes on with a case: the trace is read under it (no longer break-glass) and its file shown. */
    function useCase(row) {
      caseRef.value = row.case
      if (claimId.value.trim()) readTrace(claimId.value)
    }

    alerts.load()
    cases.load()

    return () => [
      card(
        t('inv.queue'),
        t('inv.queueHint'),
        () => [
          h('div', { class: 'row' }, [
            h(
              ElRadioGroup,
              {
                modelValue: filters.status,
                'onUpdate:modelValue': (v) => {
                  filters.status = v
                  alerts.load()
                },
                'aria-label': t('inv.status'),
                size: 'small',
              },
              () =>
                ['open', 'confirmed', 'dismissed', 'duplicate'].map((s) =>
                  h(ElRadioButton, { value: s }, () => t(`alertStatus.${s}`)),
                ),
            ),
            h(ElInput, {
              modelValue: filters.rule,
              'onUpdate:modelValue': (v) => (filters.rule = v),
              style: 'width: 140px',
              placeholder: t('inv.rule'),
              'aria-label': t('inv.rule'),
              onKeyup: (e) => e.key === 'Enter' && alerts.load(),
            }),
            h(ElButton, { onClick: () => alerts.load() }, () => t('search')),
          ]),
          outcome(alerts.state.value, 'alerts-state'),
          h(
            ElTable,
            { data: alerts.rows.value, rowKey: 'alert', 'data-test': 'alerts', emptyText: t('none') },
            () => [
              column(t('inv.rule'), (a) => `${a.rule} v${a.ruleVersion}`, { width: 90 }),
              column(t('inv.summary'), (a) => a.summary),
              column(t('inv.subject'), (a) =>
                h('span', { class: 'mono' }, `${t(`subjects.${a.subject.kind}`)}: ${a.subject.id}`),
              ),
              column(t('regionCode'), (a) => a.region, { width: 90 }),
              column(t('inv.raisedAt'), (a) => chinaTime(a.raisedAt, lang.value), { width: 210 }),
              column(
                t('inv.status'),
                (a) =>
                  h(ElTag, { type: a.status === 'open' ? 'warning' : 'info' }, () =>
                    t(`alertStatus.${a.status}`),
                  ),
                { width: 100 },
              ),
              actionColumn(
                (a) => (a.subject.kind === 'claim' ? t('inv.trace') : t('inv.claims')),
                pick,
                'pick-alert',
                130,
              ),
            ],
          ),
          more(alerts, 'more-alerts'),
        ],
        'alerts',
      ),
      alert.value && alert.value.subject.kind !== 'claim'
        ? card(
            t('inv.claimsOf', { summary: alert.value.summary }),
            t('inv.claimsHint'),
            () => [
              outcome(claims.state.value, 'claims-state'),
              h(
                ElTable,
                { data: claims.rows.value, rowKey: 'claim', 'data-test': 'claims', emptyText: t('none') },
                () => [
                  column(t('claim'), (c) => h('span', { class: 'mono' }, c.claim)),
                  column(t('occupationCol'), (c) => occupation(c.occupationCode, c.level), { width: 220 }),
                  column(t('amount'), (c) => yuan(c.amounts.claimed, lang.value), { width: 120 }),
                  column(t('inv.status'), (c) => t(`claimStatus.${c.status}`), { width: 100 }),
                  actionColumn(
                    () => t('inv.trace'),
                    (c) => readTrace(c.claim),
                    'trace-claim',
                    110,
                  ),
                ],
              ),
              more(claims, 'more-claims'),
            ],
            'claims',
          )
        : null,
      card(
        t('inv.cases'),
        t('inv.casesHint'),
        () => [
          h('div', { class: 'row' }, [
            h(
              ElRadioGroup,
              {
                modelValue: caseStatus.value,
                'onUpdate:modelValue': (v) => {
                  caseStatus.value = v
                  cases.load()
                },
                'aria-label': t('case.status'),
                size: 'small',
              },
              () =>
                ['open', 'closed'].map((s) => h(ElRadioButton, { value: s }, () => t(`case.statuses.${s}`))),
            ),
            h(ElButton, { onClick: () => cases.load(), 'data-test': 'reload-cases' }, () => t('inv.reload')),
          ]),
          outcome(cases.state.value, 'cases-state'),
          h(
            ElTable,
            { data: cases.rows.value, rowKey: 'case', 'data-test': 'cases', emptyText: t('none') },
            () => [
              column(t('case.id'), (c) => h('span', { class: 'mono' }, c.case)),
              column(t('case.caseTitle'), (c) => c.title),
              column(t('case.basis'), (c) => t(`case.bases.${c.basis}`), { width: 90 }),
              column(t('inv.openedAt'), (c) => chinaTime(c.openedAt, lang.value), { width: 210 }),
              column(t('inv.counts'), (c) => t('inv.countsOf', c), { width: 190 }),
              column(
                t('actions'),
                (c) =>
                  c.status === 'open'
                    ? h(ElButton, { size: 'small', onClick: () => useCase(c), 'data-test': 'use-case' }, () =>
                        t('inv.useCase'),
                      )
                    : t(`case.outcomes.${c.outcome}`),
                { width: 110 },
              ),
            ],
          ),
          more(cases, 'more-cases'),
        ],
        'cases',
      ),
      card(
        t('inv.traceTitle'),
        t('inv.traceHint'),
        () => [
          h('div', { class: 'row' }, [
            h(ElInput, {
              ...model(claimId),
              style: 'width: 360px',
              placeholder: t('inv.claimId'),
              'aria-label': t('inv.claimId'),
              'data-test': 'claim-id',
            }),
            h(ElInput, {
              ...model(caseRef),
              style: 'width: 300px',
              placeholder: t('inv.underCase'),
              'aria-label': t('inv.underCase'),
            }),
            h(
              ElButton,
              { type: 'primary', onClick: () => readTrace(claimId.value), 'data-test': 'read-trace' },
              () => t('inv.trace'),
            ),
          ]),
          outcome(traceState.value, 'trace-state'),
          trace.value ? h(traceGraphView, { graph: graph.value }) : null,
        ],
        'trace',
      ),
      trace.value
        ? h(caseWork, {
            key: `${trace.value.claim.claim}|${trace.value.access.caseRef ?? ''}`,
            existing: trace.value.access.caseRef ?? undefined,
            trace: trace.value,
            alert: alert.value,
            onOpened: (id) => {
              caseRef.value = id
            },
          })
        : null,
    ]
  },
}
