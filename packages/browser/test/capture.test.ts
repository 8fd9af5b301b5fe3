// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest'
import { parseCampaign } from '../src/campaign.js'
import { deriveConsent } from '../src/consent.js'
import { readCookie, writeCookie } from '../src/cookies.js'
import { readLeadFields } from '../src/leadCapture.js'
import { createLocalStore } from '../src/localStore.js'
import { readDeviceContext, readPageContext } from '../src/pageContext.js'
import { readIdentifyArgs, readPageArgs } from '../src/positionalArgs.js'
import { watchRoutes } from '../src/routeWatcher.js'
import { createSessionTracker, SESSION_IDLE_MS } from '../src/session.js'
import type { EcrmEvent } from '@ecrm/core'

afterEach(() => {
  localStorage.clear()
  for (const part of document.cookie.split('; ')) {
    const name = part.split('=')[0]
    if (name) document.cookie = `${name}=; path=/; max-age=0`
  }
})

describe('parseCampaign', () => {
  it('maps UTM parameters as Segment does and keeps click ids', () => {
    expect(
      parseCampaign(
        '?utm_source=news&utm_medium=email&utm_campaign=spring&utm_term=shoes&utm_content=a&gclid=G1&fbclid=F1&msclkid=M1&x=1',
      ),
    ).toEqual({
      source: 'news',
      medium: 'email',
      name: 'spring',
      term: 'shoes',
      content: 'a',
      gclid: 'G1',
      fbclid: 'F1',
      msclkid: 'M1',
    })
  })
  it('returns undefined without campaign parameters, and ignores empty ones', () => {
    expect(parseCampaign('?page=2&utm_source=')).toBeUndefined()
    expect(parseCampaign('')).toBeUndefined()
  })
})

describe('createSessionTracker', () => {
  const T0 = Date.parse('2026-03-01T10:00:00.000Z')
  const setup = () => {
    let n = 0
    const storage = createLocalStore()
    return createSessionTracker({ storage, createId: () => `s${++n}` })
  }

  it('keeps a session while activity continues and starts a new one after 30 minutes idle', () => {
    const sessions = setup()
    expect(sessions.touch(T0, undefined)).toMatchObject({ sessionId: 's1', isNew: true })
    expect(sessions.touch(T0 + SESSION_IDLE_MS, undefined)).toMatchObject({ sessionId: 's1', isNew: false })
    // 30 minutes after the LAST activity, not after the start.
    expect(sessions.touch(T0 + 2 * SESSION_IDLE_MS, undefined)).toMatchObject({ sessionId: 's1', isNew: false })
    expect(sessions.touch(T0 + 3 * SESSION_IDLE_MS + 1, undefined)).toMatchObject({ sessionId: 's2', isNew: true })
  })

  it('starts a new session on a new campaign and keeps first and last touch', () => {
    const sessions = setup()
    const spring = { source: 'news', name: 'spring' }
    const summer = { source: 'ads', name: 'summer' }
    expect(sessions.touch(T0, spring)).toMatchObject({ sessionId: 's1', firstTouch: spring, lastTouch: spring })
    expect(sessions.touch(T0 + 1_000, spring)).toMatchObject({ sessionId: 's1', isNew: false })
    expect(sessions.touch(T0 + 2_000, undefined)).toMatchObject({ sessionId: 's1', lastTouch: spring })
    expect(sessions.touch(T0 + 3_000, summer)).toMatchObject({
      sessionId: 's2',
      isNew: true,
      firstTouch: spring,
      lastTouch: summer,
    })
    sessions.clear()
    expect(sessions.touch(T0 + 4_000, undefined)).toMatchObject({
      sessionId: 's3',
      firstTouch: undefined,
      lastTouch: undefined,
    })
  })

  it('compares a parsed campaign with the stored one by its parameters', () => {
    const sessions = setup()
    expect(sessions.touch(T0, parseCampaign('?utm_source=a&utm_campaign=x'))).toMatchObject({
      sessionId: 's1',
      isNew: true,
    })
    expect(sessions.touch(T0 + 1_000, parseCampaign('?utm_campaign=x&utm_source=a'))).toMatchObject({
      sessionId: 's1',
      isNew: false,
    })
    expect(sessions.touch(T0 + 2_000, parseCampaign('?utm_source=b&utm_campaign=x'))).toMatchObject({
      sessionId: 's2',
      isNew: true,
    })
  })
})

describe('createLocalStore', () => {
  it('keeps values in localStorage and mirrors cookie keys in a first-party cookie', () => {
    const store = createLocalStore({ cookieKeys: ['ecrm.anonymousId'] })
    store.set('ecrm.anonymousId', 'anon-1')
    store.set('ecrm.consent', '{"analytics":true}')
    expect(localStorage.getItem('ecrm.anonymousId')).toBe('anon-1')
    expect(readCookie('ecrm.anonymousId')).toBe('anon-1')
    expect(readCookie('ecrm.consent')).toBeUndefined()
    expect(store.kind()).toBe('localStorage')
  })

  it('restores an id from the cookie when localStorage was cleared', () => {
    const store = createLocalStore({ cookieKeys: ['ecrm.anonymousId'] })
    store.set('ecrm.anonymousId', 'anon-2')
    localStorage.clear()
    expect(store.get('ecrm.anonymousId')).toBe('anon-2')
  })

  it('clears only its own namespace', () => {
    const store = createLocalStore({ cookieKeys: ['ecrm.anonymousId'] })
    store.set('ecrm.anonymousId', 'anon-3')
    store.set('ecrm.session', '{}')
    localStorage.setItem('site.cart', 'keep me')
    store.set('ecrm.firstTouch', '{}')
    localStorage.setItem('site.theme', 'dark')
    store.clear()
    expect(store.get('ecrm.anonymousId')).toBeUndefined()
    expect(store.get('ecrm.session')).toBeUndefined()
    expect(store.get('ecrm.firstTouch')).toBeUndefined()
    expect(localStorage.getItem('site.cart')).toBe('keep me')
    expect(localStorage.length).toBe(2)
  })

  it('falls back to memory when localStorage throws (quota, private mode)', () => {
    const broken = {
      getItem: () => null,
      setItem: () => {
        throw new DOMException('quota', 'QuotaExceededError')
      },
      removeItem: () => undefined,
      key: () => null,
      length: 0,
      clear: () => undefined,
    } as Storage
    const store = createLocalStore({ storage: () => broken })
    store.set('ecrm.userId', 'u1')
    expect(store.get('ecrm.userId')).toBe('u1')
    expect(store.kind()).toBe('memory')
  })
})

describe('cookies', () => {
  it('round-trips values that need encoding', () => {
    writeCookie('ecrm.test', 'a b;c=d')
    expect(readCookie('ecrm.test')).toBe('a b;c=d')
  })
})

describe('deriveConsent', () => {
  const track = (event: string): EcrmEvent => ({ type: 'track', event, messageId: 'm', anonymousId: 'a' }) as EcrmEvent

  it('grants every category by default, denies marketing under GPC', () => {
    expect(deriveConsent({}, false).initial).toEqual({ necessary: true, analytics: true, marketing: true })
    const gpc = deriveConsent({}, true)
    expect(gpc.initial).toEqual({ necessary: true, analytics: true, marketing: false })
    expect(gpc.gpc).toBe(true)
  })
  it('leaves categories undecided when pending, and can ignore GPC on request', () => {
    expect(deriveConsent({ default: 'pending' }, false).initial).toEqual({ necessary: true })
    expect(deriveConsent({ default: 'denied' }, false).initial).toEqual({
      necessary: true,
      analytics: false,
      marketing: false,
    })
    expect(deriveConsent({ respectGpc: false }, true)).toMatchObject({ gpc: false, initial: { marketing: true } })
  })
  it('lets an explicit decision win and keeps erasure requests necessary', () => {
    const derived = deriveConsent(
      { initial: { marketing: true, necessary: false }, categoryOf: () => 'marketing' },
      true,
    )
    expect(derived.initial).toMatchObject({ marketing: true, necessary: true })
    expect(derived.categoryOf(track('Data Erasure Requested'))).toBe('necessary')
    expect(derived.categoryOf(track('Order Completed'))).toBe('marketing')
  })
})

describe('readPageContext / readDeviceContext', () => {
  it('reads the page at call time', () => {
    history.replaceState(null, '', '/products/shoe?utm_source=news')
    document.title = 'Shoe'
    expect(readPageContext()).toEqual({
      path: '/products/shoe',
      referrer: document.referrer,
      search: '?utm_source=news',
      title: 'Shoe',
      url: location.href,
    })
    expect(readPageContext('https://prev.example/')?.referrer).toBe('https://prev.example/')
    expect(readDeviceContext()).toMatchObject({ locale: navigator.language, userAgent: navigator.userAgent })
  })
})

describe('watchRoutes', () => {
  it('reports pushState, replaceState and popstate changes, not hash-only ones, and restores history', () => {
    const originalPush = history.pushState
    history.replaceState(null, '', '/start')
    const changes: string[] = []
    const stop = watchRoutes((change) =>
      changes.push(`${new URL(change.previousUrl).pathname}->${new URL(change.url).pathname}`),
    )
    history.pushState(null, '', '/a')
    history.pushState(null, '', '/a#section')
    history.replaceState(null, '', '/b')
    history.pushState(null, '', '/b')
    history.replaceState(null, '', '/c')
    window.dispatchEvent(new PopStateEvent('popstate'))
    stop()
    history.pushState(null, '', '/d')
    expect(changes).toEqual(['/start->/a', '/a->/b', '/b->/c'])
    expect(history.pushState).toBe(originalPush)
  })
})

describe('readLeadFields', () => {
  it('reads only allowlisted fields and never passwords, hidden or card fields', () => {
    document.body.innerHTML = `
      <form data-ecrm-lead>
        <input name="email" value="a@b.example">
        <input name="name" value="Ada">
        <input name="phone" value="123">
        <input name="password" type="password" value="secret">
        <input name="campaign" type="hidden" value="x">
        <input name="card" value="4111111111111111">
        <input name="company" autocomplete="cc-number" value="4111">
        <input name="billing" autocomplete="section-pay billing cc-number" value="4111">
        <input name="upload" type="file">
        <input name="profile" value="text">
        <input name="newsletter" type="checkbox" value="yes">
      </form>`
    const form = document.querySelector('form') as HTMLFormElement
    const fields = readLeadFields(form, [
      'email',
      'name',
      'password',
      'campaign',
      'card',
      'company',
      'billing',
      'upload',
      'profile',
      'newsletter',
    ])
    // A name that merely contains an input type ('profile') is read.
    expect(fields).toEqual({ email: 'a@b.example', name: 'Ada', profile: 'text' })
  })
})

describe('positional arguments', () => {
  it('reads the forms of page()', () => {
    expect(readPageArgs()).toEqual({})
    expect(readPageArgs('Home')).toEqual({ name: 'Home' })
    expect(readPageArgs('Home', { a: 1 })).toEqual({ name: 'Home', properties: { a: 1 } })
    expect(readPageArgs('Docs', 'Intro', { a: 1 }, { messageId: 'm' })).toEqual({
      category: 'Docs',
      name: 'Intro',
      properties: { a: 1 },
      options: { messageId: 'm' },
    })
    expect(readPageArgs({ a: 1 })).toEqual({ properties: { a: 1 } })
  })
  it('reads the forms of identify()', () => {
    expect(readIdentifyArgs('u1', { plan: 'pro' })).toEqual({ userId: 'u1', traits: { plan: 'pro' } })
    expect(readIdentifyArgs({ plan: 'pro' })).toEqual({ traits: { plan: 'pro' } })
    expect(readIdentifyArgs()).toEqual({})
  })
})
