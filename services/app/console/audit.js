// The auditor's page: pin the log's key, read the checkpoint history (each signature verified
// here), check that the newest checkpoint extends an older one, export a worker's or a claim's
// records and verify every line here, verify an export file, download what was verified.
// Every check is verify.js's, in this browser; the server's word is never taken for a root.

import {
  ElButton,
  ElCard,
  ElInput,
  ElRadioButton,
  ElRadioGroup,
  ElTable,
  ElTableColumn,
  ElTag,
} from 'element-plus'
import { h, reactive, ref, shallowRef } from 'vue'
import { api } from './api.js'
import { model } from './bind.js'
import { chinaTime } from './format.js'
import { has, lang, t } from './i18n.js'
import { failed, outcome } from './ui.js'
import {
  pinKey,
  VerifyError,
  verifyCheckpoint,
  verifyCheckpointJws,
  verifyConsistencyAnswer,
  verifyExportText,
  verifyInclusionAnswer,
} from './verify.js'

/** An outcome to show: success, or the failure with its reason code and line. */
function failure(error) {
  if (error instanceof VerifyError)
    return {
      type: 'error',
      reason: error.reason,
      text: `${t('failed', { reason: error.reason, message: has(`reasons.${error.reason}`) ? t(`reasons.${error.reason}`) : error.message })}${error.line ? ` (${t('line', { line: error.line })})` : ''}`,
    }
  return failed(error)
}

/** An export that verified: how many events, in which signed checkpoint, signed when. */
const exportVerified = (report) => ({
  type: 'success',
  text: t('exportOk', {
    events: report.events,
    size: report.checkpoint.size,
    time: chinaTime(report.checkpoint.timestamp, lang.value),
  }),
})

async function verified(checkpoint, trust) {
  const body = await verifyCheckpoint(checkpoint.note, trust)
  await verifyCheckpointJws(checkpoint.jws, checkpoint.note, trust)
  return body
}

export const auditorView = {
  setup() {
    const keyText = ref(localStorage.getItem('trec.pinnedKey') ?? '')
    const origin = ref(localStorage.getItem('trec.origin') ?? '')
    const trust = shallowRef()
    const keyState = ref()
    const rows = ref([])
    const next = ref()
    const historyState = ref()
    const consistencyState = ref()
    const form = reactive({ kind: 'worker', subject: '', purpose: 'audit', caseRef: '' })
    const exportState = ref()
    const download = ref()
    const fileState = ref()
    const eventId = ref('')
    const inclusionState = ref()
    const busy = ref(false)

    async function loadPage(cursor) {
      try {
        const page = await api(
          `/v1/audit/checkpoints?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        )
        const checked = await Promise.all(
          page.items.map(async (item) => {
            try {
              return { ...item, body: await verified(item, trust.value), status: 'ok' }
            } catch (error) {
              return { ...item, status: error.reason ?? 'error', message: error.message }
            }
          }),
        )
        rows.value = cursor ? [...rows.value, ...checked] : checked
        next.value = page.nextCursor
        historyState.value = undefined
      } catch (error) {
        historyState.value = failure(error)
      }
    }

    async function pin() {
      try {
        const key = await pinKey(keyText.value)
        trust.value = { origin: origin.value.trim() || key.name, key }
        localStorage.setItem('trec.pinnedKey', keyText.value.trim())
        localStorage.setItem('trec.origin', origin.value.trim())
        keyState.value = { type: 'success', text: t('keyPinned', { name: key.name, id: key.keyId }) }
        await loadPage()
      } catch (error) {
        trust.value = undefined
        keyState.value = failure(error)
      }
    }

    async function fetchKey() {
      try {
        keyText.value = (await api('/v1/audit/keys.note', 'text')).trim().split('\n').at(-1)
      } catch (error) {
        keyState.value = failure(error)
      }
    }

    async function checkConsistency(row) {
      const newest = rows.value[0]
      try {
        if (row.status !== 'ok' || newest.status !== 'ok')
          throw new VerifyError(row.status, row.message ?? newest.message)
        const answer = await api(`/v1/audit/proofs/consistency?from=${row.size}&to=${newest.size}`)
        await verifyConsistencyAnswer(answer, row.body, newest.body)
        consistencyState.value = {
          type: 'success',
          text: t('consistencyOk', { from: row.size, to: newest.size }),
        }
      } catch (error) {
        consistencyState.value = failure(error)
      }
    }

    function offer(text, name) {
      if (download.value) URL.revokeObjectURL(download.value.url)
      download.value = { url: URL.createObjectURL(new Blob([text], { type: 'application/x-ndjson' })), name }
    }

    async function runExport() {
      busy.value = true
      exportState.value = undefined
      try {
        const path = form.kind === 'worker' ? 'workers' : 'claims'
        const query = new URLSearchParams({
          purpose: form.purpose,
          ...(form.caseRef ? { case: form.caseRef } : {}),
        })
        const text = await api(
          `/v1/audit/exports/${path}/${encodeURIComponent(form.subject.trim())}?${query}`,
          'text',
        )
        const report = await verifyExportText(text, trust.value)
        offer(text, `trec-${form.kind}-export-${report.checkpoint.size}.ndjson`)
        exportState.value = exportVerified(report)
      } catch (error) {
        exportState.value = failure(error)
      } finally {
        busy.value = false
      }
    }

    async function verifyFile(event) {
      const file = event.target.files?.[0]
      if (!file) return
      try {
        const report = await verifyExportText(await file.text(), trust.value)
        fileState.value = exportVerified(report)
      } catch (error) {
        fileState.value = failure(error)
      }
    }

    async function checkInclusion() {
      try {
        const answer = await api(
          `/v1/audit/proofs/inclusion?eventId=${encodeURIComponent(eventId.value.trim())}`,
        )
        const { leafIndex, checkpoint } = await verifyInclusionAnswer(answer, trust.value)
        inclusionState.value = {
          type: 'success',
          text: t('inclusionOk', { index: leafIndex, size: checkpoint.size }),
        }
      } catch (error) {
        inclusionState.value = failure(error)
      }
    }

    const card = (title, hint, body, test) =>
      h(
        ElCard,
        { shadow: 'never', 'data-test': `card-${test}` },
        { header: () => [h('h2', title), h('p', { class: 'hint' }, hint)], default: body },
      )

    return () => [
      card(
        t('pinned'),
        t('pinnedHint'),
        () => [
          h('div', { class: 'row' }, [
            h(ElInput, {
              ...model(keyText),
              style: 'flex: 1 1 480px',
              class: 'mono',
              'aria-label': t('pinned'),
              placeholder: 'origin+1a2b3c4d+AQ…',
              'data-test': 'pinned-key',
            }),
            h(ElInput, {
              ...model(origin),
              style: 'width: 280px',
              'aria-label': t('origin'),
              placeholder: t('origin'),
            }),
            h(ElButton, { type: 'primary', onClick: pin, 'data-test': 'pin' }, () => t('pin')),
            h(ElButton, { onClick: fetchKey }, () => t('fetchKey')),
          ]),
          outcome(keyState.value, 'key-state'),
        ],
        'key',
      ),
      trust.value
        ? card(
            t('history'),
            t('historyHint'),
            () => [
              outcome(historyState.value, 'history-state'),
              h(
                ElTable,
                { data: rows.value, rowKey: (r) => `${r.size}-${r.timestamp}`, 'data-test': 'checkpoints' },
                () => [
                  h(ElTableColumn, { prop: 'size', label: t('size'), width: 110 }),
                  h(
                    ElTableColumn,
                    { label: t('signedAt'), width: 230 },
                    { default: ({ row }) => chinaTime(row.timestamp, lang.value) },
                  ),
                  h(
                    ElTableColumn,
                    { label: t('root') },
                    { default: ({ row }) => h('span', { class: 'mono' }, row.rootHash) },
                  ),
                  h(
                    ElTableColumn,
                    { label: t('signature'), width: 200 },
                    {
                      default: ({ row }) =>
                        row.status === 'ok'
                          ? h(ElTag, { type: 'success' }, () => t('verified'))
                          : h(ElTag, { type: 'danger', title: row.message }, () => row.status),
                    },
                  ),
                  h(
                    ElTableColumn,
                    { label: t('actions'), width: 190 },
                    {
                      default: ({ row, $index }) =>
                        $index === 0
                          ? null
                          : h(
                              ElButton,
                              {
                                size: 'small',
                                onClick: () => checkConsistency(row),
                                'data-test': 'consistency',
                              },
                              () => t('consistent'),
                            ),
                    },
                  ),
                ],
              ),
              next.value
                ? h(
                    ElButton,
                    { style: 'margin-top: 12px', onClick: () => loadPage(next.value), 'data-test': 'more' },
                    () => t('more'),
                  )
                : null,
              outcome(consistencyState.value, 'consistency-state'),
            ],
            'history',
          )
        : null,
      trust.value
        ? card(
            t('exportTitle'),
            t('exportHint'),
            () => [
              h('div', { class: 'row' }, [
                h(
                  ElRadioGroup,
                  {
                    modelValue: form.kind,
                    'onUpdate:modelValue': (v) => (form.kind = v),
                    'aria-label': t('exportTitle'),
                  },
                  () => [
                    h(ElRadioButton, { value: 'worker' }, () => t('worker')),
                    h(ElRadioButton, { value: 'claim' }, () => t('claim')),
                  ],
                ),
                h(ElInput, {
                  modelValue: form.subject,
                  'onUpdate:modelValue': (v) => (form.subject = v),
                  style: 'width: 320px',
                  'aria-label': t('subject'),
                  placeholder: t('subject'),
                  'data-test': 'subject',
                }),
                h(
                  ElRadioGroup,
                  {
                    modelValue: form.purpose,
                    'onUpdate:modelValue': (v) => (form.purpose = v),
                    'aria-label': t('purpose'),
                  },
                  () =>
                    ['audit', 'fraud_case', 'supervision_inspection'].map((p) =>
                      h(ElRadioButton, { value: p }, () => t(`purposes.${p}`)),
                    ),
                ),
                form.purpose === 'audit'
                  ? null
                  : h(ElInput, {
                      modelValue: form.caseRef,
                      'onUpdate:modelValue': (v) => (form.caseRef = v),
                      style: 'width: 240px',
                      'aria-label': t('caseRef'),
                      placeholder: t('caseRef'),
                    }),
                h(
                  ElButton,
                  { type: 'primary', loading: busy.value, onClick: runExport, 'data-test': 'export' },
                  () => t('exportVerify'),
                ),
              ]),
              h('p', { class: 'hint' }, t('scope')),
              outcome(exportState.value, 'export-state'),
              download.value
                ? h('p', [
                    h(
                      'a',
                      {
                        href: download.value.url,
                        download: download.value.name,
                        'data-test': 'download',
                        class: 'el-button',
                      },
                      t('download'),
                    ),
                  ])
                : null,
              h('div', { class: 'row', style: 'margin-top: 12px' }, [
                h('label', { class: 'file-label' }, [
                  t('verifyFile'),
                  h('input', {
                    type: 'file',
                    accept: '.ndjson,application/x-ndjson',
                    onChange: verifyFile,
                    'data-test': 'file',
                  }),
                ]),
              ]),
              outcome(fileState.value, 'file-state'),
              h('div', { class: 'row', style: 'margin-top: 12px' }, [
                h(ElInput, {
                  ...model(eventId),
                  style: 'width: 360px',
                  'aria-label': t('event'),
                  placeholder: t('event'),
                  'data-test': 'event-id',
                }),
                h(ElButton, { onClick: checkInclusion, 'data-test': 'inclusion' }, () => t('inclusion')),
              ]),
              outcome(inclusionState.value, 'inclusion-state'),
            ],
            'export',
          )
        : null,
    ]
  },
}
