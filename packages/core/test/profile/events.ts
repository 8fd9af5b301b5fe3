import type { EcrmEvent, JsonObject } from '../../src/model/envelope.js'

/** Test builders: short, readable events with sequential ids. */
let sequence = 0

export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0)
export const MINUTE = 60_000
export const DAY = 86_400_000

export function iso(at: number): string {
  return new Date(at).toISOString()
}

export function track(
  event: string,
  at: number,
  properties: JsonObject = {},
  extra: Partial<EcrmEvent> = {},
): EcrmEvent {
  return {
    type: 'track',
    event,
    properties,
    messageId: `m-${++sequence}`,
    userId: 'u-1',
    timestamp: iso(at),
    ...extra,
  } as EcrmEvent
}

export function page(at: number, path: string, extra: Partial<EcrmEvent> = {}): EcrmEvent {
  return {
    type: 'page',
    messageId: `m-${++sequence}`,
    anonymousId: 'a-1',
    timestamp: iso(at),
    context: { page: { path } },
    ...extra,
  } as EcrmEvent
}

export function identify(at: number, traits: JsonObject, extra: Partial<EcrmEvent> = {}): EcrmEvent {
  return {
    type: 'identify',
    traits,
    messageId: `m-${++sequence}`,
    userId: 'u-1',
    timestamp: iso(at),
    ...extra,
  } as EcrmEvent
}
