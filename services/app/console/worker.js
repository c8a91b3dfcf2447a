// The worker's own page (劳动者本人): sign in with a real-name attestation (实名认证凭证) that an
// identity source signed, exchanged by the API for a short-lived worker token; then my lifelong
// archive as a timeline, who read it, when and why (PIPL art. 45), objections (异议) to an entry
// of it, and the officers' answers. Every read is logged by the API as the worker's own.

import { ElButton, ElInput, ElRadio, ElRadioGroup, ElTable, ElTag } from 'element-plus'
import { h, onMounted, reactive, ref, shallowRef } from 'vue'
import { api, newKey, send } from './api.js'
import { model } from './bind.js'
import { accessLog, archiveDetails } from './card-service.js'
import { chinaTime, yuan } from './format.js'
import { lang, t } from './i18n.js'
import { occupation } from './occupations.js'
import { card, column, failed, more, outcome, paged, query } from './ui.js'

/** Signs a worker in: the attestation for a worker token, handed to `onToken`. */
export const workerSignIn = {
  props: { onToken: Function },
  setup(props) {
    const attestation = ref('')
    const state = ref()
    async function signIn() {
      try {
        const res = await fetch('/v1/worker-sessions', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ attestation: attestation.value.trim() }),
        })
        const body = await res.json()
        if (!res.ok) {
          const reasons = (body.errors ?? []).map((e) => e.message).join('; ')
          state.value = { type: 'error', text: t('wk.signInRefused', { reason: reasons || body.detail }) }
          return
        }
        props.onToken?.(body.token)
      } catch (error) {
        state.value = failed(error)
      }
    }
    return () =>
      card(
        t('wk.signIn'),
        t('wk.signInHint'),
        () => [
          h('div', { class: 'row' }, [
            h(ElInput, {
              ...model(attestation),
              style: 'width: 520px',
              type: 'textarea',
              rows: 2,
              placeholder: t('wk.attestation'),
              'aria-label': t('wk.attestation'),
              'data-test': 'attestation',
            }),
            h(ElButton, { type: 'primary', onClick: signIn, 'data-test': 'worker-sign-in' }, () =>
              t('wk.signInButton'),
            ),
          ]),
          outcome(state.value, 'sign-in-state'),
        ],
        'worker-sign-in',
      )
  },
}

/** The entries of an archive a worker may object to, each with its words. */
function entries(archive) {
  return [
    ...archive.trainings.map((x) => ({
      kind: 'training',
      id: x.class,
      text: `${occupation(x.occupationCode, x.level, x.occupationTitle)} · ${x.class}`,
    })),
    ...archive.assessments.map((a) => ({
      kind: 'assessment',
      id: a.assessment,
      text: `${occupation(a.occupationCode, a.level)} · ${a.assessedOn}`,
    })),
    ...archive.certificates.map((c) => ({
      kind: 'certificate',
      id: c.certificate,
      text: `${occupation(c.occupationCode, c.level)} · ${c.serial}`,
    })),
    ...archive.subsidies.payments.map((p) => ({
      kind: 'payment',
      id: p.claim,
      text: `${yuan(p.amount, lang.value)} · ${p.claim}`,
    })),
  ]
}

/** An objection's state and the answer, in the page's words. */
export const decisionTag = (o) =>
  h(
    ElTag,
    { type: o.status === 'open' ? 'warning' : o.decision === 'accepted' ? 'success' : 'info', size: 'small' },
    () => (o.status === 'open' ? t('wk.open') : t(`wk.decisions.${o.decision}`)),
  )

/** The entry an objection is about. */
export const entryText = (o) => `${t(`wk.kinds.${o.entry.kind}`)} ${o.entry.id}`

export const workerView = {
  setup() {
    const record = shallowRef()
    const state = ref()
    const log = accessLog((cursor) => api(`/v1/me/access-log?${query({ cursor, limit: 50 })}`))
    const form = reactive({ entry: '', reason: '' })
    const fileState = ref()
    let key = newKey()
    const objections = paged((cursor) => api(`/v1/me/objections?${query({ limit: 50, cursor })}`))

    async function readArchive() {
      try {
        record.value = await api('/v1/me/archive')
        state.value = {
          type: record.value.archive.found ? 'success' : 'warning',
          text: record.value.archive.found ? t('wk.read') : t('cs.notFound'),
        }
      } catch (error) {
        state.value = failed(error)
      }
    }

    async function file() {
      const picked = entries(record.value.archive).find((e) => `${e.kind}:${e.id}` === form.entry)
      if (!picked || !form.reason.trim()) {
        fileState.value = { type: 'error', text: t('wk.pickAndSay') }
        return
      }
      try {
        const filed = await send(
          '/v1/me/objections',
          { entry: { kind: picked.kind, id: picked.id }, reason: form.reason.trim() },
          key,
        )
        fileState.value = { type: 'success', text: t('wk.filed', { objection: filed.objection }) }
        key = newKey()
        form.reason = ''
        await objections.load()
      } catch (error) {
        fileState.value = failed(error)
      }
    }

    onMounted(() => {
      readArchive()
      objections.load()
    })

    return () => [
      card(
        t('wk.archive'),
        t('wk.archiveHint'),
        () => [
          h(ElButton, { onClick: readArchive, 'data-test': 'read-archive' }, () => t('wk.reload')),
          outcome(state.value, 'archive-state'),
          record.value ? archiveDetails(record.value.worker, record.value.archive) : null,
        ],
        'my-archive',
      ),
      log.view(t('wk.accessLogHint')),
      record.value
        ? card(
            t('wk.object'),
            t('wk.objectHint'),
            () => [
              h(
                ElRadioGroup,
                {
                  modelValue: form.entry,
                  'onUpdate:modelValue': (v) => (form.entry = v),
                  'aria-label': t('wk.entry'),
                  class: 'entries',
                  'data-test': 'entries',
                },
                () =>
                  entries(record.value.archive).map((e) =>
                    h(ElRadio, { value: `${e.kind}:${e.id}` }, () => `${t(`wk.kinds.${e.kind}`)}：${e.text}`),
                  ),
              ),
              h(ElInput, {
                modelValue: form.reason,
                'onUpdate:modelValue': (v) => (form.reason = v),
                type: 'textarea',
                rows: 3,
                style: 'margin-top: 12px',
                placeholder: t('wk.reason'),
                'aria-label': t('wk.reason'),
                'data-test': 'objection-reason',
              }),
              h(
                ElButton,
                { type: 'primary', style: 'margin-top: 12px', onClick: file, 'data-test': 'file-objection' },
                () => t('wk.file'),
              ),
              outcome(fileState.value, 'objection-state'),
            ],
            'object',
          )
        : null,
      card(
        t('wk.mine'),
        t('wk.mineHint'),
        () => [
          h(ElButton, { onClick: () => objections.load(), 'data-test': 'reload-objections' }, () =>
            t('wk.reload'),
          ),
          outcome(objections.state.value, 'objections-state'),
          h(
            ElTable,
            {
              data: objections.rows.value,
              rowKey: 'objection',
              'data-test': 'my-objections',
              emptyText: t('none'),
              style: 'margin-top: 12px',
            },
            () => [
              column(t('wk.filedAt'), (o) => chinaTime(o.filedAt, lang.value), { width: 210 }),
              column(t('wk.entry'), entryText),
              column(t('wk.reason'), (o) => o.reason),
              column(t('wk.status'), decisionTag, { width: 110 }),
              column(t('wk.answer'), (o) =>
                o.answer ? `${o.answer}（${chinaTime(o.answeredAt, lang.value)}）` : '—',
              ),
            ],
          ),
          more(objections, 'more-objections'),
        ],
        'my-objections',
      ),
    ]
  },
}
