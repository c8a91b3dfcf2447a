import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { TrecError } from '@trec/core'
import type { Platform } from '@trec/fastify-kit'

// The web console (services/app/console, docs/console.md): static files on the API's origin,
// under /console/. Its own files and the libraries it is built on — Vue 3's runtime ESM build,
// Element Plus's full ESM build with its zh-CN and English locales, Cytoscape.js's ESM build (the
// investigator's trace graph; it has no dependencies, so its one file loads as it is, no build
// step), and sm-crypto-v2 (SM2/SM3, for checking a gm log in the browser) — are served from a fixed list read once at start, so
// no request can name any other file. The page resolves the bare `vue` import of Element Plus
// and the `sm-crypto-v2` import of verify.js with an import map; the page's content security policy is
// the platform's with that one inline script allowed by its hash, and nothing else inline.
// The files are public (no personal data in them): the console calls the API with the token the
// user pastes, under the API's usual checks.

const require = createRequire(import.meta.url)
const own = join(import.meta.dirname, '../console')
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`))

const types: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
}

// sm-crypto-v2's ESM build imports @noble/curves, @noble/hashes and @noble/ciphers by bare
// names (a dozen files, one chosen by export conditions); its UMD build has them inside and, as
// a script, sets `globalThis.SmCryptoV2` (it needs nothing outside for SM2 and SM3). Served as a
// module: the UMD build, then these lines handing its two members on as exports.
const smCryptoExports = `
const { sm2, sm3 } = globalThis.SmCryptoV2
delete globalThis.SmCryptoV2
export { sm2, sm3 }
`

function files(): Map<string, { body: Buffer; type: string; vendor: boolean }> {
  const vue = packageDir('vue')
  const elementPlus = packageDir('element-plus')
  const smCrypto = join(packageDir('sm-crypto-v2'), 'dist/index.umd.js')
  const entries: [string, string, boolean][] = [
    ['app.js', join(own, 'app.js'), false],
    ['audit.js', join(own, 'audit.js'), false],
    ['verify.js', join(own, 'verify.js'), false],
    ['i18n.js', join(own, 'i18n.js'), false],
    ['format.js', join(own, 'format.js'), false],
    ['api.js', join(own, 'api.js'), false],
    ['bind.js', join(own, 'bind.js'), false],
    ['console.css', join(own, 'console.css'), false],
    ['ui.js', join(own, 'ui.js'), false],
    ['i18n-roles.js', join(own, 'i18n-roles.js'), false],
    ['occupations.js', join(own, 'occupations.js'), false],
    ['investigator.js', join(own, 'investigator.js'), false],
    ['trace-graph.js', join(own, 'trace-graph.js'), false],
    ['casework.js', join(own, 'casework.js'), false],
    ['card-service.js', join(own, 'card-service.js'), false],
    ['officer.js', join(own, 'officer.js'), false],
    ['institution.js', join(own, 'institution.js'), false],
    ['worker.js', join(own, 'worker.js'), false],
    ['objections.js', join(own, 'objections.js'), false],
    ['i18n-worker.js', join(own, 'i18n-worker.js'), false],
    ['vendor/vue.js', join(vue, 'dist/vue.runtime.esm-browser.prod.js'), true],
    // Its exports name no package.json: found by its main file, beside the ESM build.
    ['vendor/cytoscape.js', join(dirname(require.resolve('cytoscape')), 'cytoscape.esm.min.mjs'), true],
    ['vendor/element-plus.js', join(elementPlus, 'dist/index.full.min.mjs'), true],
    ['vendor/element-plus.css', join(elementPlus, 'dist/index.css'), true],
    ['vendor/zh-cn.js', join(elementPlus, 'dist/locale/zh-cn.min.mjs'), true],
    ['vendor/en.js', join(elementPlus, 'dist/locale/en.min.mjs'), true],
  ]
  const served = new Map(
    entries.map(([name, path, vendor]) => [
      name,
      { body: readFileSync(path), type: types[path.slice(path.lastIndexOf('.'))]!, vendor },
    ]),
  )
  served.set('vendor/sm-crypto.js', {
    body: Buffer.concat([readFileSync(smCrypto), Buffer.from(smCryptoExports)]),
    type: types['.js']!,
    vendor: true,
  })
  return served
}

const importMap = JSON.stringify({
  imports: {
    vue: '/console/vendor/vue.js',
    'element-plus': '/console/vendor/element-plus.js',
    cytoscape: '/console/vendor/cytoscape.js',
    'sm-crypto-v2': '/console/vendor/sm-crypto.js',
  },
})

function page(): { html: string; csp: string } {
  const script = `<script type="importmap">${importMap}</script>`
  const hash = createHash('sha256').update(importMap).digest('base64')
  const html = readFileSync(join(own, 'index.html'), 'utf8').replace('<!-- import map -->', script)
  const csp = [
    "default-src 'self'",
    "base-uri 'self'",
    "connect-src 'self'",
    "font-src 'self' data:",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "img-src 'self' data:",
    "object-src 'none'",
    `script-src 'self' 'sha256-${hash}'`,
    "script-src-attr 'none'",
    "style-src 'self' 'unsafe-inline'",
  ].join('; ')
  return { html, csp }
}

export function registerConsole(app: Platform): void {
  const served = files()
  const { html, csp } = page()
  const hidden = { hide: true }
  app.get('/console', { config: { auth: { public: true } }, schema: hidden }, async (_request, reply) =>
    reply.redirect('/console/'),
  )
  app.get('/console/', { config: { auth: { public: true } }, schema: hidden }, async (_request, reply) =>
    reply
      .header('content-security-policy', csp)
      .header('cache-control', 'no-cache')
      .type('text/html; charset=utf-8')
      .send(html),
  )
  app.get<{ Params: { '*': string } }>(
    '/console/*',
    { config: { auth: { public: true } }, schema: hidden },
    async (request, reply) => {
      const file = served.get(request.params['*'])
      if (!file) throw new TrecError('TREC_NOT_FOUND', 'The console has no such file.')
      return reply
        .header('cache-control', file.vendor ? 'public, max-age=86400' : 'no-cache')
        .type(file.type)
        .send(file.body)
    },
  )
}
