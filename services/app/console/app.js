// The console's shell: the token (pasted, kept in sessionStorage), the language switch, and the
// page of the token's role. Vue 3 (runtime build: render functions, so the page's content
// security policy needs no eval) and Element Plus, with its zh-CN or English locale.

import ElementPlus, {
  ElAlert,
  ElButton,
  ElConfigProvider,
  ElInput,
  ElRadioButton,
  ElRadioGroup,
  ElTag,
} from 'element-plus'
import { computed, createApp, h, ref } from 'vue'
import { token } from './api.js'
import { auditorView } from './audit.js'
import { model } from './bind.js'
import { cardServiceView } from './card-service.js'
import { lang, setLang, t } from './i18n.js'
import { institutionView } from './institution.js'
import { investigatorView } from './investigator.js'
import { officerView } from './officer.js'
import en from './vendor/en.js'
import zhCn from './vendor/zh-cn.js'
import { workerSignIn, workerView } from './worker.js'

/** The page of each role. */
const views = {
  auditor: auditorView,
  investigator: investigatorView,
  card_service: cardServiceView,
  subsidy_officer: officerView,
  institution_staff: institutionView,
  worker: workerView,
}

const App = {
  setup() {
    const draft = ref(token.get())
    const claims = ref(token.claims())
    const save = () => {
      token.set(draft.value.trim())
      claims.value = token.claims()
    }
    const clear = () => {
      draft.value = ''
      save()
    }
    const view = computed(() => claims.value && views[claims.value.role])
    return () =>
      h(ElConfigProvider, { locale: lang.value === 'en' ? en : zhCn }, () => [
        h('header', { class: 'bar' }, [
          h('h1', t('title')),
          h(
            ElRadioGroup,
            { ...model(lang), 'onUpdate:modelValue': setLang, 'aria-label': t('language'), size: 'small' },
            () => [
              h(ElRadioButton, { value: 'zh' }, () => '中文'),
              h(ElRadioButton, { value: 'en' }, () => 'English'),
            ],
          ),
          h(ElInput, {
            ...model(draft),
            class: 'token',
            type: 'password',
            showPassword: true,
            placeholder: t('tokenHint'),
            'aria-label': t('token'),
            'data-test': 'token',
            onKeyup: (e) => e.key === 'Enter' && save(),
          }),
          h(ElButton, { type: 'primary', onClick: save, 'data-test': 'save-token' }, () => t('save')),
          claims.value ? h(ElButton, { onClick: clear }, () => t('signOut')) : null,
          claims.value ? h(ElTag, { type: 'info' }, () => t('role', { role: claims.value.role })) : null,
        ]),
        h('main', [
          !claims.value
            ? [
                h(ElAlert, { type: 'info', closable: false, title: t('noToken') }),
                // A worker has no staff token: they sign in with their real-name attestation.
                h(workerSignIn, {
                  onToken: (signed) => {
                    draft.value = signed
                    save()
                  },
                }),
              ]
            : view.value
              ? h(view.value, { key: token.get() })
              : h(ElAlert, {
                  type: 'warning',
                  closable: false,
                  title: t('noView', { role: claims.value.role }),
                }),
        ]),
      ])
  },
}

setLang(lang.value)
createApp(App).use(ElementPlus).mount('#app')
