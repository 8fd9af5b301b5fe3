import { renderToString } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { EcrmProvider, useExperiment, useLeadScore, useProfile, useRule } from '../src/index.js'

function Page() {
  const assignment = useExperiment('checkout_cta')
  const profile = useProfile()
  const vip = useRule('vip')
  const lead = useLeadScore()
  return <p>{[assignment?.variationId, profile?.id, vip, lead?.score].map(String).join(',')}</p>
}

describe('on-site hooks on the server', () => {
  it('render undefined without touching browser globals (the same markup as the first client render)', () => {
    // The node environment has no window, document, localStorage or indexedDB: a touch would throw.
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined')
    const html = renderToString(
      <EcrmProvider
        writeKey="wk"
        endpoint="https://collect.example"
        experiments={[{ key: 'checkout_cta', variations: [{ id: 'a' }, { id: 'b' }] }]}
      >
        <Page />
      </EcrmProvider>,
    )
    expect(html).toBe('<p>undefined,undefined,undefined,undefined</p>')
  })
})
