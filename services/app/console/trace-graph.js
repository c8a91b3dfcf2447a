// A claim's causal trace (GET /v1/oversight/claims/{claim}/trace) as a graph: the nodes are the
// record's streams and events (the claim and its events, each payment and the evidence it cites,
// the class, the institution, the workers, the devices, face templates and client fingerprints
// they share, the alerts), the edges what led to what (evidence cited by a payment, a class run
// by an institution, a worker enrolled in a class or using a device, an alert raised on a
// subject). Drawn with Cytoscape.js (traceGraphView); the same nodes and edges are also a list
// to read or step through with the keyboard, the graph's text alternative. Workers appear by
// pseudonym, as the API answers.

import cytoscape from 'cytoscape'
import { h, onBeforeUnmount, onMounted, ref, watch } from 'vue'
import { chinaTime, yuan } from './format.js'
import { lang, t } from './i18n.js'
import { occupation } from './occupations.js'
import { eventName } from './ui.js'

const when = (instant) => chinaTime(instant, lang.value)

/** The graph of a trace: `nodes` ({ id, label, kind }) and `edges` ({ id, source, target, label }). */
export function traceGraph(trace) {
  const nodes = new Map()
  const edges = []
  const node = (id, label, kind) => {
    if (!nodes.has(id)) nodes.set(id, { id, label, kind })
    return id
  }
  const edge = (source, target, label) => edges.push({ id: `e${edges.length}`, source, target, label })
  const worker = (w) => node(`worker:${w}`, t('trace.worker', { worker: w }), 'worker')

  const c = trace.claim
  const claim = node(
    `claim:${c.claim}`,
    [
      t('trace.claim', {
        claim: c.claim,
        kind: t(`claimKinds.${c.kind}`),
        status: t(`claimStatus.${c.status}`),
        amount: yuan(c.amount, lang.value),
      }),
      t('trace.occupation', { occupation: occupation(c.occupationCode, c.level) }),
      t('trace.paid', { paid: yuan(c.paidAmount, lang.value), clawedBack: yuan(c.clawedBack, lang.value) }),
    ].join('\n'),
    'claim',
  )
  edge(worker(c.worker), claim, t('graph.claims'))
  for (const e of trace.events)
    edge(
      claim,
      node(`event:${e.id}`, `${eventName(e.type)} · ${when(e.occurredAt)}`, 'event'),
      t('graph.recorded'),
    )
  for (const p of trace.payments) {
    // The payment is one of the claim's events: its node carries the payment's words.
    const payment = `event:${p.event}`
    nodes.set(payment, {
      id: payment,
      label: t('trace.payment', {
        amount: yuan(p.amount, lang.value),
        ref: p.paymentRef,
        time: when(p.occurredAt),
      }),
      kind: 'payment',
    })
    for (const e of p.evidence)
      edge(
        node(`event:${e.id}`, `${eventName(e.type)} · ${when(e.occurredAt)}`, 'evidence'),
        payment,
        e.inLogBeforePayment ? t('trace.before') : t('trace.after'),
      )
    for (const id of p.unresolvedEvidence)
      edge(node(`missing:${id}`, t('trace.unresolved', { id }), 'missing'), payment, t('graph.cited'))
  }
  const k = trace.class
  if (k) {
    const cls = node(
      `class:${k.class}`,
      t('trace.class', {
        class: k.class,
        mode: k.mode,
        from: k.plannedStart,
        to: k.plannedEnd,
        n: k.rosterSize,
      }),
      'class',
    )
    edge(cls, claim, t('graph.trainedIn'))
    const i = trace.institution
    if (i)
      edge(
        node(
          `institution:${i.institution}`,
          t('trace.institution', {
            name: i.legalName,
            id: i.institution,
            status: i.delistedFrom
              ? t('trace.delisted', { from: i.delistedFrom })
              : t('trace.designated', { from: i.designatedFrom }),
          }),
          'institution',
        ),
        cls,
        t('graph.runs'),
      )
    for (const w of trace.sharing.classmates) edge(worker(w), cls, t('graph.enrolled'))
  }
  const shared = (kind, what, items, key) => {
    for (const s of items) {
      const id = node(
        `${kind}:${s[key]}`,
        `${t('trace.sharedBy', { what, n: s.workers.length + 1 })} · ${s[key]}`,
        'shared',
      )
      for (const w of [c.worker, ...s.workers]) edge(worker(w), id, t('graph.uses'))
    }
  }
  shared('device', t('trace.devices'), trace.sharing.devices, 'device')
  shared('template', t('trace.templates'), trace.sharing.templates, 'templateHash')
  shared('fingerprint', t('trace.fingerprints'), trace.sharing.fingerprints, 'clientFingerprint')
  for (const a of trace.alerts) {
    const alert = node(
      `alert:${a.alert}`,
      `${a.rule} · ${a.summary} · ${t(`alertStatus.${a.status}`)} · ${when(a.raisedAt)}`,
      'alert',
    )
    const subject = `${a.subject.kind}:${a.subject.id}`
    edge(alert, nodes.has(subject) ? subject : claim, t('graph.raisedOn'))
  }
  return { nodes: [...nodes.values()], edges }
}

/** The events a case may cite from the trace: the claim's own and the evidence of its payments. */
export function traceEvidence(trace) {
  const seen = new Map()
  for (const e of trace.events) seen.set(e.id, `${eventName(e.type)} · ${when(e.occurredAt)}`)
  for (const p of trace.payments)
    for (const e of p.evidence) seen.set(e.id, `${eventName(e.type)} · ${when(e.occurredAt)}`)
  return [...seen].map(([id, label]) => ({ id, label }))
}

const colours = {
  claim: '#1f5fbf',
  event: '#50565f',
  payment: '#2c6e12',
  evidence: '#7a4d00',
  missing: '#b3261e',
  class: '#194c99',
  institution: '#194c99',
  worker: '#5a5e66',
  shared: '#b3261e',
  alert: '#b3261e',
}

/** A node's name on the canvas: its first line, cut short (the text alternative holds it whole). */
const shortLabel = (label) => {
  const first = label.split('\n')[0].split(' · ')[0]
  return first.length > 28 ? `${first.slice(0, 27)}…` : first
}

const style = [
  {
    selector: 'node',
    style: {
      label: 'data(short)',
      'font-size': 9,
      'text-wrap': 'wrap',
      'text-max-width': 110,
      'text-valign': 'bottom',
      'text-margin-y': 4,
      color: '#1f2329',
      'background-color': (n) => colours[n.data('kind')] ?? '#50565f',
      width: 18,
      height: 18,
    },
  },
  { selector: 'node[kind = "claim"]', style: { width: 30, height: 30, shape: 'round-rectangle' } },
  { selector: 'node:selected', style: { 'border-width': 4, 'border-color': '#1f2329' } },
  {
    selector: 'edge',
    style: {
      label: 'data(label)',
      'font-size': 7,
      color: '#50565f',
      width: 1.5,
      'line-color': '#8aaee3',
      'target-arrow-color': '#8aaee3',
      'target-arrow-shape': 'triangle',
      'curve-style': 'bezier',
      'text-rotation': 'autorotate',
    },
  },
]

/**
 * The trace drawn as a graph, with its text alternative: every node as a button (Tab to it, and
 * the graph selects and centres that node) followed by the edges that leave and reach it.
 */
export const traceGraphView = {
  props: { graph: { type: Object, required: true } },
  setup(props) {
    const canvas = ref()
    let cy
    const draw = () => {
      cy?.destroy()
      cy = cytoscape({
        container: canvas.value,
        elements: [
          ...props.graph.nodes.map((n) => ({ data: { ...n, short: shortLabel(n.label) } })),
          ...props.graph.edges.map((e) => ({ data: e })),
        ],
        style,
        layout: { name: 'breadthfirst', directed: true, spacingFactor: 1.75, padding: 24 },
        wheelSensitivity: 0.3,
      })
      // What was drawn, for a reader of the page's state (the browser tests).
      cy.ready(() => {
        if (canvas.value) canvas.value.dataset.rendered = String(cy.nodes().length)
      })
    }
    const focus = (id) => {
      if (!cy) return
      cy.$(':selected').unselect()
      const n = cy.getElementById(id)
      n.select()
      cy.animate({ center: { eles: n }, duration: 200 })
    }
    onMounted(draw)
    watch(() => props.graph, draw)
    onBeforeUnmount(() => cy?.destroy())
    const labelOf = (id) => props.graph.nodes.find((n) => n.id === id)?.label ?? id
    return () => {
      const { nodes, edges } = props.graph
      return h('div', { class: 'trace-graph', 'data-test': 'trace' }, [
        h('div', {
          ref: canvas,
          class: 'trace-canvas',
          role: 'img',
          'aria-label': t('graph.summary', { nodes: nodes.length, edges: edges.length }),
          'data-test': 'trace-graph',
          'data-nodes': String(nodes.length),
          'data-edges': String(edges.length),
        }),
        h('h3', { class: 'hint' }, t('graph.asText')),
        h(
          'ul',
          { class: 'trace-list', 'data-test': 'trace-list' },
          nodes.map((n) =>
            h('li', { key: n.id, 'data-kind': n.kind }, [
              h(
                'button',
                {
                  type: 'button',
                  class: 'trace-node',
                  onFocus: () => focus(n.id),
                  onClick: () => focus(n.id),
                },
                n.label.split('\n').map((line) => h('span', line)),
              ),
              h(
                'ul',
                edges
                  .filter((e) => e.source === n.id)
                  .map((e) =>
                    h('li', { key: e.id }, [h('span', `→ ${e.label} → `), h('span', labelOf(e.target))]),
                  ),
              ),
            ]),
          ),
        ),
      ])
    }
  },
}
