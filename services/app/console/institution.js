// The institution's page (培训机构): its claims, newest first and paged, each open claim with what
// it still lacks for payment (the payment gate's own answer, GET /v1/claims?lacks=true; reading
// it is logged in each worker's access log); its classes (GET /v1/classes, paged, by status) and,
// for the class picked, its schedule and sessions (GET /v1/classes/{class}) and its enrolments
// (GET /v1/enrolments?class=, paged; workers by pseudonym, each read logged in their access log).

import {
  ElButton,
  ElDescriptions,
  ElDescriptionsItem,
  ElInput,
  ElRadioButton,
  ElRadioGroup,
  ElTable,
  ElTag,
} from 'element-plus'
import { h, ref, shallowRef } from 'vue'
import { api } from './api.js'
import { model } from './bind.js'
import { chinaTime, yuan } from './format.js'
import { lang, t } from './i18n.js'
import { learnOccupations, occupation } from './occupations.js'
import { actionColumn, card, column, failed, more, outcome, paged, query } from './ui.js'

const statuses = ['', 'submitted', 'approved', 'paid', 'rejected', 'clawed_back']

/** What a claim still lacks: nothing (it would be paid), the gate's violations, or not asked (paid or rejected). */
function lacks(claim) {
  if (claim.lacks === null || claim.lacks === undefined) return h('span', '—')
  if (claim.lacks.length === 0) return h(ElTag, { type: 'success' }, () => t('inst.payable'))
  return h(
    'ul',
    { class: 'plain' },
    claim.lacks.map((l) =>
      h('li', [h(ElTag, { type: 'danger', size: 'small' }, () => l.rule), ` ${l.message}`]),
    ),
  )
}

export const institutionView = {
  setup() {
    const status = ref('')
    const claims = paged((cursor) =>
      api(`/v1/claims?${query({ lacks: 'true', status: status.value, limit: 20, cursor })}`).then(
        async (page) => {
          await Promise.all([...new Set(page.items.map((c) => c.region))].map(learnOccupations))
          return page
        },
      ),
    )
    const classStatus = ref('')
    const classes = paged((cursor) =>
      api(`/v1/classes?${query({ status: classStatus.value, limit: 20, cursor })}`),
    )
    const classId = ref('')
    const cls = shallowRef()
    const classState = ref()
    const enrolments = paged((cursor) =>
      api(`/v1/enrolments?${query({ class: classId.value.trim(), limit: 50, cursor })}`),
    )

    async function readClass(id) {
      classId.value = id
      try {
        cls.value = await api(`/v1/classes/${encodeURIComponent(id.trim())}`)
        classState.value = undefined
        await enrolments.load()
      } catch (error) {
        cls.value = undefined
        classState.value = failed(error)
      }
    }

    claims.load()
    classes.load()

    const when = (instant) => chinaTime(instant, lang.value)
    const classView = () => {
      const c = cls.value
      return [
        h(
          ElDescriptions,
          { column: 3, border: true, size: 'small', 'data-test': 'class', style: 'margin-top: 12px' },
          () => [
            h(ElDescriptionsItem, { label: t('inst.class') }, () => h('span', { class: 'mono' }, c.class)),
            h(ElDescriptionsItem, { label: t('inst.status') }, () => t(`inst.classStatus.${c.status}`)),
            h(ElDescriptionsItem, { label: t('inst.mode') }, () => c.mode),
            h(
              ElDescriptionsItem,
              { label: t('inst.planned') },
              () => `${when(c.plannedStart)} — ${when(c.plannedEnd)}`,
            ),
            h(ElDescriptionsItem, { label: t('inst.hours') }, () => String(c.plannedHours)),
            h(ElDescriptionsItem, { label: t('inst.enrolled') }, () =>
              t('inst.ofCapacity', { n: enrolments.total.value ?? c.roster.length, capacity: c.capacity }),
            ),
          ],
        ),
        h('h3', t('inst.sessions')),
        h(ElTable, { data: c.sessions, rowKey: 'session', emptyText: t('none') }, () => [
          column(t('inst.session'), (s) => s.session, { width: 160 }),
          column(t('inst.start'), (s) => when(s.start), { width: 220 }),
          column(t('inst.end'), (s) => when(s.end), { width: 220 }),
          column(t('inst.venue'), (s) => s.venue),
        ]),
        h('h3', t('inst.enrolments')),
        h('p', { class: 'hint' }, t('inst.enrolmentsHint')),
        outcome(enrolments.state.value, 'enrolments-state'),
        h(
          ElTable,
          { data: enrolments.rows.value, rowKey: 'worker', 'data-test': 'roster', emptyText: t('none') },
          () => [
            column(t('inst.worker'), (e) => h('span', { class: 'mono' }, e.worker)),
            column(t('inst.enrolmentEvent'), (e) => h('span', { class: 'mono' }, e.event), { width: 330 }),
          ],
        ),
        more(enrolments, 'more-enrolments'),
      ]
    }

    return () => [
      card(
        t('inst.claims'),
        t('inst.claimsHint'),
        () => [
          h(
            ElRadioGroup,
            {
              modelValue: status.value,
              'onUpdate:modelValue': (v) => {
                status.value = v
                claims.load()
              },
              'aria-label': t('inst.status'),
              size: 'small',
            },
            () =>
              statuses.map((s) =>
                h(ElRadioButton, { value: s }, () => (s ? t(`claimStatus.${s}`) : t('inst.all'))),
              ),
          ),
          outcome(claims.state.value, 'claims-state'),
          h(
            ElTable,
            {
              data: claims.rows.value,
              rowKey: 'claim',
              'data-test': 'claims',
              emptyText: t('none'),
              style: 'margin-top: 12px',
            },
            () => [
              column(t('claim'), (c) => h('span', { class: 'mono' }, c.claim)),
              column(t('inst.worker'), (c) => h('span', { class: 'mono' }, c.worker), { width: 150 }),
              column(t('occupationCol'), (c) => occupation(c.occupationCode, c.level), { width: 200 }),
              column(t('inst.claimed'), (c) => yuan(c.amounts.claimed, lang.value), { width: 110 }),
              column(t('inst.paid'), (c) => yuan(c.amounts.paid, lang.value), { width: 110 }),
              column(t('inst.status'), (c) => t(`claimStatus.${c.status}`), { width: 90 }),
              column(t('inst.lacks'), lacks, { minWidth: 260 }),
            ],
          ),
          more(claims, 'more-claims'),
        ],
        'claims',
      ),
      card(
        t('inst.classes'),
        t('inst.classesHint'),
        () => [
          h(
            ElRadioGroup,
            {
              modelValue: classStatus.value,
              'onUpdate:modelValue': (v) => {
                classStatus.value = v
                classes.load()
              },
              'aria-label': t('inst.status'),
              size: 'small',
            },
            () =>
              ['', 'applied', 'opened', 'closed'].map((s) =>
                h(ElRadioButton, { value: s }, () => (s ? t(`inst.classStatus.${s}`) : t('inst.all'))),
              ),
          ),
          outcome(classes.state.value, 'classes-state'),
          h(
            ElTable,
            {
              data: classes.rows.value,
              rowKey: 'class',
              'data-test': 'classes',
              emptyText: t('none'),
              style: 'margin-top: 12px',
            },
            () => [
              column(t('inst.class'), (c) => h('span', { class: 'mono' }, c.class)),
              column(t('inst.programme'), (c) => h('span', { class: 'mono' }, c.programme ?? '—')),
              column(t('inst.planned'), (c) => `${c.plannedStart ?? '—'} — ${c.plannedEnd ?? '—'}`, {
                width: 220,
              }),
              column(t('inst.status'), (c) => t(`inst.classStatus.${c.status}`), { width: 90 }),
              column(t('inst.enrolled'), (c) => String(c.enrolled), { width: 80 }),
              actionColumn(
                () => t('inst.open'),
                (c) => readClass(c.class),
                'pick-class',
                120,
              ),
            ],
          ),
          more(classes, 'more-classes'),
          h('div', { class: 'row', style: 'margin-top: 12px' }, [
            h(ElInput, {
              ...model(classId),
              style: 'width: 280px',
              placeholder: t('inst.classId'),
              'aria-label': t('inst.classId'),
            }),
            h(
              ElButton,
              { type: 'primary', onClick: () => readClass(classId.value), 'data-test': 'read-class' },
              () => t('inst.open'),
            ),
          ]),
          outcome(classState.value, 'class-state'),
          cls.value ? classView() : null,
        ],
        'classes',
      ),
    ]
  },
}
