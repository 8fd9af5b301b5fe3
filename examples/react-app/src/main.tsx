import { EcrmProvider } from '@ecrm/react'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App.js'
import { ECRM_ENDPOINT, WRITE_KEY, experiments, rules } from './config.js'

const root = document.getElementById('root')
if (root === null) throw new Error('index.html needs a <div id="root">')

createRoot(root).render(
  // StrictMode mounts twice in development; the provider still creates one client and sends one
  // first page view.
  <StrictMode>
    <EcrmProvider
      writeKey={WRITE_KEY}
      endpoint={ECRM_ENDPOINT}
      // usePageView sends the page views (one per route); automatic capture would count them twice.
      capture={{ pageViews: false }}
      // Opt-in consent (GDPR): events wait in memory, nothing is stored or sent, until the banner's answer.
      consent={{ default: 'pending' }}
      rules={rules}
      experiments={experiments}
      batch={{ flushIntervalMs: 1_000 }}
    >
      <App />
    </EcrmProvider>
  </StrictMode>,
)
