import { renderToString } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { EcrmProvider, useConsent, useEcrm, useEcrmState } from '../src/index.js'

function Banner() {
  const client = useEcrm()
  const [consent] = useConsent()
  const userId = useEcrmState((state) => state?.user.userId)
  return (
    <p>
      {client === undefined ? 'loading' : 'ready'} {consent['analytics'] === undefined ? 'ask' : 'decided'}{' '}
      {userId ?? 'guest'}
    </p>
  )
}

describe('EcrmProvider on the server', () => {
  it('renders without touching browser globals and gives the markup the first client render gives', () => {
    // The node environment has no window, document, localStorage or indexedDB: a touch would throw.
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined')
    const html = renderToString(
      <EcrmProvider writeKey="wk" endpoint="https://collect.example">
        <Banner />
      </EcrmProvider>,
    )
    expect(html).toBe('<p>loading<!-- --> <!-- -->ask<!-- --> <!-- -->guest</p>')
  })
})
