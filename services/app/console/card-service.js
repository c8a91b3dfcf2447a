// The card service's page (社保卡服务): look up a worker's lifelong archive by card number for a
// declared purpose, optionally as the record stood at a past time (`asOf`, China time), shown as
// a timeline; and who read that record (the access log, PIPL art. 45), paged. The card number is
// only ever sent in a POST body and kept nowhere but this page's memory; both reads are logged by
// the API before it answers.

import {
  ElButton,
  ElDescriptions,
  ElDescriptionsItem,
  ElInput,
  ElRadioButton,
  ElRadioGroup,
  ElTable,
  ElTag,
  ElTimeline,
  ElTimelineItem,
} from 'element-plus'
import { h, reactive, ref, shallowRef } from 'vue'
import { send } from './api.js'
import { chinaTime, fromChinaTime, yuan } from './format.js'
import { lang, t } from './i18n.js'
import { occupation } from './occupations.js'
import { card, column, failed, outcome } from './ui.js'

const when = (value) => (/^\d{4}-\d{2}-\d{2}$/.test(value) ? value : chinaTime(value, lang.value))

/** The archive's trainings, assessments, certificates and payments, newest first. */
function timeline(archive) {
  const items = []
  for (const x of archive.trainings) {
    const what = occupation(x.occupationCode, x.level, x.occupationTitle)
    const where = x.institutionName ?? x.institution ?? ''
    if (x.enrolledAt)
      items.push({
        at: x.enrolledAt,
        type: 'primary',
        text: t('cs.enrolled', { what, where, class: x.class }),
      })
    if (x.completion)
      items.push({
        at: x.completion.completedAt,
        type: x.completion.passed ? 'success' : 'warning',
        text: t('cs.completed', {
          what,
          hours: x.completion.attendedHours,
          required: x.completion.requiredHours,
          result: x.completion.passed ? t('cs.passed') : t('cs.notPassed'),
        }),
      })
  }
  for (const a of archive.assessments)
    items.push({
      at: a.assessedOn,
      type: a.passed ? 'success' : 'warning',
      text: t('cs.assessed', {
        what: occupation(a.occupationCode, a.level),
        result: a.passed ? t('cs.passed') : t('cs.notPassed'),
        score: a.score ?? '—',
      }),
    })
  for (const c of archive.certificates) {
    items.push({
      at: c.issuedOn,
      type: 'success',
      text: t('cs.certified', {
        what: occupation(c.occupationCode, c.level),
        serial: c.serial,
        kind: c.kind,
      }),
    })
    if (c.revokedAt)
      items.push({
        at: c.revokedAt,
        type: 'danger',
        text: t('cs.revoked', { serial: c.serial, reason: c.revocationReason ?? '' }),
      })
  }
  for (const p of archive.subsidies.payments)
    items.push({
      at: p.paidAt,
      type: 'primary',
      text: t('cs.paid', {
        amount: yuan(p.amount, lang.value),
        kind: p.kind ? t(`claimKinds.${p.kind}`) : '',
        payee: `${t(`subjects.${p.payee.kind}`)} ${p.payee.id}`,
        clawedBack: p.clawedBack ? t('cs.clawedBack', { amount: yuan(p.clawedBack, lang.value) }) : '',
      }),
    })
  return items.sort((a, b) => Date.parse(b.at) - Date.parse(a.at))
}

/**
 * Who read a record (PIPL art. 45), paged by cursor: `fetchPage(cursor)` reads a page (no cursor: the first);
 * `view(hint)` is the card with its table (the card service's page and the worker's own).
 */
export function accessLog(fetchPage) {
  const log = ref([])
  const nextCursor = ref(null)
  const state = ref()
  async function read(more = false) {
    try {
      const page = await fetchPage(more ? nextCursor.value : undefined)
      log.value = more ? [...log.value, ...page.items] : page.items
      nextCursor.value = page.nextCursor ?? null
      state.value = undefined
    } catch (error) {
      state.value = failed(error)
    }
  }
  const reset = () => {
    log.value = []
    nextCursor.value = null
  }
  const view = (hint) =>
    card(
      t('cs.accessLog'),
      hint,
      () => [
        h(ElButton, { type: 'primary', onClick: () => read(), 'data-test': 'read-log' }, () =>
          t('cs.whoRead'),
        ),
        outcome(state.value, 'log-state'),
        h(
          ElTable,
          {
            data: log.value,
            rowKey: 'event',
            'data-test': 'access-log',
            emptyText: t('none'),
            style: 'margin-top: 12px',
          },
          () => [
            column(t('cs.when'), (e) => chinaTime(e.at, lang.value), { width: 210 }),
            column(
              t('cs.who'),
              (e) =>
                `${t(`roles.${e.actor.kind}`)} ${e.actor.id}${e.actor.institution ? ` (${e.actor.institution})` : ''}`,
            ),
            column(t('cs.view'), (e) => t(`views.${e.view}`), { width: 110 }),
            column(t('purpose'), (e) => t(`purposes.${e.purpose}`), { width: 140 }),
            column(t('caseRef'), (e) => e.caseRef ?? '—'),
            column(
              t('cs.flags'),
              (e) => e.flags.map((f) => h(ElTag, { type: 'warning', size: 'small' }, () => f)),
              { width: 130 },
            ),
          ],
        ),
        nextCursor.value !== null
          ? h(ElButton, { style: 'margin-top: 12px', onClick: () => read(true) }, () => t('more'))
          : null,
      ],
      'access-log',
    )
  return { read, reset, view }
}

/** A worker's archive: totals, then the timeline (the card service's page and the worker's own). */
export function archiveDetails(worker, a) {
  return [
    h(
      ElDescriptions,
      { column: 3, border: true, size: 'small', 'data-test': 'totals', style: 'margin-top: 12px' },
      () => [
        h(ElDescriptionsItem, { label: t('cs.pseudonym') }, () => h('span', { class: 'mono' }, worker)),
        h(ElDescriptionsItem, { label: t('cs.asOf') }, () =>
          a.asOf ? chinaTime(a.asOf, lang.value) : t('cs.now'),
        ),
        h(ElDescriptionsItem, { label: t('cs.trainings') }, () =>
          t('cs.passedOf', { passed: a.totals.passed, n: a.totals.trainings }),
        ),
        h(ElDescriptionsItem, { label: t('cs.hours') }, () => String(a.totals.hours)),
        h(ElDescriptionsItem, { label: t('cs.certificates') }, () => String(a.totals.certificates)),
        h(ElDescriptionsItem, { label: t('cs.subsidyNet') }, () => yuan(a.totals.subsidyNet, lang.value)),
      ],
    ),
    h(ElTimeline, { style: 'margin-top: 16px', 'data-test': 'archive-timeline' }, () =>
      timeline(a).map((item) =>
        h(ElTimelineItem, { timestamp: when(item.at), type: item.type, placement: 'top' }, () => item.text),
      ),
    ),
  ]
}

export const cardServiceView = {
  setup() {
    const form = reactive({ cardNumber: '', purpose: 'card_holder_request', consentRef: '', asOf: '' })
    const result = shallowRef()
    const state = ref()

    const purpose = () => ({
      cardNumber: form.cardNumber.trim(),
      purpose: form.purpose,
      ...(form.purpose === 'consented_disclosure' ? { consentRef: form.consentRef.trim() } : {}),
    })

    async function lookup() {
      const asOf = form.asOf.trim() ? fromChinaTime(form.asOf) : undefined
      if (form.asOf.trim() && !asOf) {
        state.value = { type: 'error', text: t('cs.badAsOf') }
        return
      }
      try {
        result.value = await send('/v1/archive/lookup', { ...purpose(), ...(asOf ? { asOf } : {}) })
        state.value = {
          type: result.value.archive.found ? 'success' : 'warning',
          text: result.value.archive.found
            ? t('cs.found', { event: result.value.access.event })
            : t('cs.notFound'),
        }
        log.reset()
      } catch (error) {
        result.value = undefined
        state.value = failed(error)
      }
    }

    const log = accessLog((cursor) =>
      send('/v1/archive/access-log/lookup', { ...purpose(), ...(cursor ? { cursor } : {}), limit: 50 }),
    )

    return () => [
      card(
        t('cs.lookup'),
        t('cs.lookupHint'),
        () => [
          h('div', { class: 'row' }, [
            h(ElInput, {
              modelValue: form.cardNumber,
              'onUpdate:modelValue': (v) => (form.cardNumber = v),
              style: 'width: 260px',
              placeholder: t('cs.cardNumber'),
              'aria-label': t('cs.cardNumber'),
              autocomplete: 'off',
              'data-test': 'card-number',
            }),
            h(
              ElRadioGroup,
              {
                modelValue: form.purpose,
                'onUpdate:modelValue': (v) => (form.purpose = v),
                'aria-label': t('purpose'),
              },
              () =>
                ['card_holder_request', 'consented_disclosure'].map((p) =>
                  h(ElRadioButton, { value: p }, () => t(`purposes.${p}`)),
                ),
            ),
            form.purpose === 'consented_disclosure'
              ? h(ElInput, {
                  modelValue: form.consentRef,
                  'onUpdate:modelValue': (v) => (form.consentRef = v),
                  style: 'width: 200px',
                  placeholder: t('cs.consentRef'),
                  'aria-label': t('cs.consentRef'),
                })
              : null,
            h(ElInput, {
              modelValue: form.asOf,
              'onUpdate:modelValue': (v) => (form.asOf = v),
              style: 'width: 240px',
              placeholder: t('cs.asOfHint'),
              'aria-label': t('cs.asOf'),
              'data-test': 'as-of',
            }),
            h(ElButton, { type: 'primary', onClick: lookup, 'data-test': 'lookup' }, () => t('cs.look')),
          ]),
          outcome(state.value, 'lookup-state'),
          result.value ? archiveDetails(result.value.worker, result.value.archive) : null,
        ],
        'lookup',
      ),
      result.value ? log.view(t('cs.accessLogHint')) : null,
    ]
  },
}
