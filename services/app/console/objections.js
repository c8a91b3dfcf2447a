// The objections queue on the officer's page (异议处理): workers' objections to entries of their
// archives in the officer's region, oldest first, paged; each answered on the record, accepted or
// rejected with the reason the worker will read. The list is a read model, so an answer shows in
// it once the read side has caught up ("reload").

import { ElButton, ElInput, ElRadioButton, ElRadioGroup, ElTable } from 'element-plus'
import { h, onMounted, reactive, ref } from 'vue'
import { api, newKey, send } from './api.js'
import { chinaTime } from './format.js'
import { lang, t } from './i18n.js'
import { card, column, failed, more, outcome, paged, query } from './ui.js'
import { decisionTag, entryText } from './worker.js'

export const objectionsQueue = {
  setup() {
    const status = ref('open')
    const queue = paged((cursor) =>
      api(`/v1/objections?${query({ status: status.value, limit: 50, cursor })}`),
    )
    const reasons = reactive({})
    const keys = {}
    const state = ref()

    async function answer(o, decision) {
      const reason = (reasons[o.objection] ?? '').trim()
      if (!reason) {
        state.value = { type: 'error', text: t('obq.sayWhy') }
        return
      }
      keys[o.objection] ??= newKey()
      try {
        await send(
          `/v1/objections/${encodeURIComponent(o.objection)}/answer`,
          { decision, reason },
          keys[o.objection],
        )
        state.value = {
          type: 'success',
          text: t('obq.answered', { objection: o.objection, decision: t(`wk.decisions.${decision}`) }),
        }
      } catch (error) {
        state.value = failed(error)
      }
    }

    onMounted(() => queue.load())

    return () =>
      card(
        t('obq.title'),
        t('obq.hint'),
        () => [
          h('div', { class: 'row' }, [
            h(
              ElRadioGroup,
              {
                modelValue: status.value,
                'onUpdate:modelValue': (v) => {
                  status.value = v
                  queue.load()
                },
                'aria-label': t('wk.status'),
                size: 'small',
              },
              () =>
                ['open', 'answered'].map((s) => h(ElRadioButton, { value: s }, () => t(`obq.statuses.${s}`))),
            ),
            h(ElButton, { onClick: () => queue.load(), 'data-test': 'reload-queue' }, () => t('wk.reload')),
          ]),
          outcome(state.value, 'answer-state'),
          outcome(queue.state.value, 'queue-state'),
          h(
            ElTable,
            {
              data: queue.rows.value,
              rowKey: 'objection',
              'data-test': 'objections',
              emptyText: t('none'),
              style: 'margin-top: 12px',
            },
            () => [
              column(t('wk.filedAt'), (o) => chinaTime(o.filedAt, lang.value), { width: 210 }),
              column(t('worker'), (o) => h('span', { class: 'mono' }, o.worker), { width: 150 }),
              column(t('wk.entry'), entryText),
              column(t('wk.reason'), (o) => o.reason),
              column(t('wk.status'), decisionTag, { width: 100 }),
              column(
                t('actions'),
                (o) =>
                  o.status === 'open'
                    ? h('div', { class: 'row' }, [
                        h(ElInput, {
                          modelValue: reasons[o.objection] ?? '',
                          'onUpdate:modelValue': (v) => (reasons[o.objection] = v),
                          size: 'small',
                          style: 'width: 220px',
                          placeholder: t('obq.why'),
                          'aria-label': t('obq.why'),
                          'data-test': 'answer-reason',
                        }),
                        h(
                          ElButton,
                          {
                            size: 'small',
                            type: 'primary',
                            onClick: () => answer(o, 'accepted'),
                            'data-test': 'accept',
                          },
                          () => t('obq.accept'),
                        ),
                        h(
                          ElButton,
                          { size: 'small', onClick: () => answer(o, 'rejected'), 'data-test': 'reject' },
                          () => t('obq.reject'),
                        ),
                      ])
                    : `${o.answer ?? ''}`,
                { width: 420 },
              ),
            ],
          ),
          more(queue, 'more-queue'),
        ],
        'objections',
      )
  },
}
