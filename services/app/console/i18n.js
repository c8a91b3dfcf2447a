// The console's words, in Chinese (the default) and English. `t(key, params)` fills {name}
// placeholders. Verification failures are named by trec-verify's reason codes (reasons.*).

import { ref } from 'vue'
import { roleWords } from './i18n-roles.js'
import { workerWords } from './i18n-worker.js'

const stored = localStorage.getItem('trec.lang')
export const lang = ref(stored === 'en' ? 'en' : 'zh')

export function setLang(value) {
  lang.value = value
  localStorage.setItem('trec.lang', value)
  document.documentElement.lang = value === 'en' ? 'en' : 'zh-CN'
}

const messages = {
  zh: {
    ...roleWords.zh,
    ...workerWords.zh,
    title: 'trec 培训记录与审计控制台',
    token: '访问令牌',
    tokenHint: '粘贴 npm run token 签发的令牌（仅保存在本标签页）',
    save: '保存',
    signOut: '清除令牌',
    role: '角色：{role}',
    noToken: '请先粘贴访问令牌。',
    noView: '角色 {role} 没有控制台页面。',
    language: '语言',
    pinned: '固定公钥',
    pinnedHint: '日志的签名公钥（note 验证密钥格式），须通过可信渠道获得；所有验证均在本浏览器中完成。',
    origin: '日志标识',
    pin: '固定',
    fetchKey: '从服务器读取（仅首次信任）',
    keyPinned: '已固定公钥 {name}（{id}）',
    history: '检查点历史',
    historyHint: '日志签名的每个检查点，最新在前；签名在浏览器中用固定公钥验证。',
    size: '树大小',
    signedAt: '签名时间',
    root: '根哈希',
    signature: '签名',
    verified: '验证通过',
    actions: '操作',
    consistent: '验证与最新一致',
    more: '加载更多',
    consistencyOk: '一致：大小 {to} 的树包含大小 {from} 的树，日志未被改写。',
    exportTitle: '导出与包含性验证',
    exportHint: '选择一名劳动者（化名）或一项补贴申请，导出其记录及包含性证明，并在浏览器中逐条验证。',
    worker: '劳动者',
    claim: '补贴申请',
    subject: '劳动者化名或申请编号',
    purpose: '用途',
    purposes: {
      audit: '审计',
      fraud_case: '欺诈案件',
      supervision_inspection: '监督检查',
      card_holder_request: '持卡人本人申请',
      consented_disclosure: '经本人同意披露',
      administration: '经办业务',
      own_record: '本人查阅',
    },
    caseRef: '案件编号',
    exportVerify: '导出并验证',
    exportOk: '验证通过：{events} 条事件均包含在大小 {size} 的已签名检查点中（{time}）。',
    download: '下载导出文件',
    verifyFile: '验证本地导出文件',
    failed: '验证失败（{reason}）：{message}',
    line: '第 {line} 行',
    scope: '浏览器中检查：签名、包含性、一致性、顺序与条数；选择范围、证据顺序与重放请用 trec-verify。',
    event: '事件编号',
    inclusion: '验证单个事件包含性',
    inclusionOk: '事件位于叶子 {index}，包含在大小 {size} 的已签名检查点中。',
    error: '请求失败：{message}',
    loading: '处理中…',
    reasons: {
      'key-malformed': '固定公钥格式不正确',
      'header-malformed': '第 1 行不是导出文件头',
      'checkpoint-malformed': '检查点格式不正确',
      'checkpoint-unsupported-header': '检查点 JWS 头不符合要求',
      'checkpoint-no-trusted-signature': '检查点没有固定公钥的签名',
      'checkpoint-bad-signature': '检查点签名无法验证：检查点已被改动',
      'checkpoint-wrong-origin': '检查点属于另一个日志',
      'checkpoint-mismatch': '检查点的两种签名形式（note 与 JWS）或文件头所载大小不一致',
      'consistency-failed': '一致性证明不成立：日志被改写',
      'line-malformed': '事件行格式不正确',
      'leaf-order': '叶子顺序不递增：行被重排、重复或插入',
      'leaf-out-of-range': '叶子序号超出检查点的树大小',
      'inclusion-failed': '该事件不在已签名的树中：事件或证明已被改动',
      'event-count': '事件条数与文件头不符：行被删除、插入或截断',
      truncated: '文件在行中间结束',
      'proof-malformed': '证明格式不正确',
    },
  },
  en: {
    ...roleWords.en,
    ...workerWords.en,
    title: 'trec training-record and audit console',
    token: 'Access token',
    tokenHint: 'Paste a token minted by npm run token (kept in this tab only)',
    save: 'Save',
    signOut: 'Clear token',
    role: 'Role: {role}',
    noToken: 'Paste an access token first.',
    noView: 'There is no console page for role {role}.',
    language: 'Language',
    pinned: 'Pinned key',
    pinnedHint:
      "The log's signing key (note verifier key), got through a channel you trust; every check runs in this browser.",
    origin: 'Log origin',
    pin: 'Pin',
    fetchKey: 'Read from the server (trust on first use)',
    keyPinned: 'Pinned key {name} ({id})',
    history: 'Checkpoint history',
    historyHint:
      'Every checkpoint the log signed, newest first; signatures verified in the browser against the pinned key.',
    size: 'Tree size',
    signedAt: 'Signed at',
    root: 'Root hash',
    signature: 'Signature',
    verified: 'Verified',
    actions: 'Actions',
    consistent: 'Check against the newest',
    more: 'Load more',
    consistencyOk:
      'Consistent: the tree of {to} leaves extends the tree of {from}; the log was not rewritten.',
    exportTitle: 'Export and inclusion',
    exportHint:
      'Pick a worker (pseudonym) or a claim, export its records with inclusion proofs, and verify every line in the browser.',
    worker: 'Worker',
    claim: 'Claim',
    subject: 'Worker pseudonym or claim ID',
    purpose: 'Purpose',
    purposes: {
      audit: 'Audit',
      fraud_case: 'Fraud case',
      supervision_inspection: 'Supervision inspection',
      card_holder_request: 'Card holder’s request',
      consented_disclosure: 'Disclosure on consent',
      administration: 'Administration',
      own_record: 'The worker’s own read',
    },
    caseRef: 'Case ID',
    exportVerify: 'Export and verify',
    exportOk: 'Verified: all {events} events are in the signed checkpoint of size {size} ({time}).',
    download: 'Download the export',
    verifyFile: 'Verify an export file',
    failed: 'Verification failed ({reason}): {message}',
    line: 'line {line}',
    scope:
      'Checked in the browser: signatures, inclusion, consistency, order and count; use trec-verify for selection, evidence order and replay.',
    event: 'Event ID',
    inclusion: 'Verify one event',
    inclusionOk: 'The event is leaf {index}, in the signed checkpoint of size {size}.',
    error: 'The request failed: {message}',
    loading: 'Working…',
    reasons: {
      'key-malformed': 'the pinned key is not a note verifier key',
      'header-malformed': 'line 1 is not an export header',
      'checkpoint-malformed': 'the checkpoint is malformed',
      'checkpoint-unsupported-header': 'the checkpoint JWS header is not the expected one',
      'checkpoint-no-trusted-signature': 'the pinned key did not sign the checkpoint',
      'checkpoint-bad-signature': 'the checkpoint signature does not verify: the checkpoint was altered',
      'checkpoint-wrong-origin': "the checkpoint is another log's",
      'checkpoint-mismatch': "the checkpoint's note and JWS, or the header's size, disagree",
      'consistency-failed': 'the consistency proof fails: the log was rewritten',
      'line-malformed': 'an event line is malformed',
      'leaf-order': 'leaf indexes do not increase: lines reordered, repeated or inserted',
      'leaf-out-of-range': "a leaf index is beyond the checkpoint's tree size",
      'inclusion-failed': 'the event is not in the signed tree: the event or its proof was altered',
      'event-count': 'the number of events differs from the header: lines deleted, inserted or cut',
      truncated: 'the file ends in the middle of a line',
      'proof-malformed': 'the proof is malformed',
    },
  },
}

/** Whether a message exists (a verification reason may have no words of its own yet). */
export const has = (key) => key.split('.').reduce((m, k) => m?.[k], messages[lang.value]) !== undefined

export function t(key, params = {}) {
  const value = key.split('.').reduce((m, k) => m?.[k], messages[lang.value]) ?? key
  return String(value).replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''))
}
