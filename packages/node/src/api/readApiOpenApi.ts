import * as z from 'zod'
import { readApiComponents } from './readApiSchemas.js'

const ref = (id: keyof typeof readApiComponents): { $ref: string } => ({ $ref: `#/components/schemas/${id}` })
const json = (id: keyof typeof readApiComponents, description: string) => ({
  description,
  content: { 'application/json': { schema: ref(id) } },
})
const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [String(status), json('Error', errorDescriptions[status] ?? 'Refused')]))
const errorDescriptions: Readonly<Record<number, string>> = {
  400: 'Bad request: bad id, cursor, query, JSON or JsonLogic (see error.issues)',
  401: 'No secret key, or not a secret key of this API (a write key never works here)',
  404: 'No such customer or segment',
  405: 'Method not allowed',
  413: 'Body too large',
  415: 'Body is not application/json',
}

/** Removes what each generated schema says about itself: components are parts of one document. */
function asComponent(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _schema, $id: _id, ...rest } = schema
  return rest
}

let cached: Record<string, unknown> | undefined

/**
 * The OpenAPI 3.1 document of the read API, generated from its zod schemas (JSON Schema
 * 2020-12, which OpenAPI 3.1 uses as is). Served at `GET /v1/openapi.json`.
 */
export function readApiOpenApi(): Record<string, unknown> {
  if (cached !== undefined) return cached
  const registry = z.registry<{ id: string }>()
  for (const [id, schema] of Object.entries(readApiComponents)) registry.add(schema as z.ZodType, { id })
  const generated = z.toJSONSchema(registry, {
    uri: (id) => `#/components/schemas/${id}`,
    target: 'draft-2020-12',
    unrepresentable: 'any',
  })
  const schemas = Object.fromEntries(
    Object.entries(generated.schemas).map(([id, schema]) => [id, asComponent(schema as Record<string, unknown>)]),
  )
  const idParameter = {
    name: 'id',
    in: 'path',
    required: true,
    schema: { type: 'string', minLength: 1, maxLength: 320 },
  }
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'ecrm read API',
      version: '1',
      description:
        'Customer profiles (with RFM, lead score, CLV, segments), segments and KPIs of the ecrm store. Authenticate with a secret key as a Bearer token; write keys are refused.',
    },
    components: {
      schemas,
      securitySchemes: {
        secretKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'A secret key of this server (ECRM_SECRET_KEYS), never a write key',
        },
      },
    },
    security: [{ secretKey: [] }],
    paths: {
      '/v1/profiles/{id}': {
        get: {
          summary: 'A customer profile',
          description: 'By customer id, else user id, else anonymous id, else email (the first, lower-cased).',
          parameters: [{ ...idParameter, description: 'Customer id, userId, anonymousId or email' }],
          responses: { 200: json('ProfileResponse', 'The profile'), ...errors(400, 401, 404, 405) },
        },
      },
      '/v1/segments': {
        get: {
          summary: 'Named and RFM segments',
          responses: { 200: json('SegmentList', 'Every segment'), ...errors(401, 405) },
        },
      },
      '/v1/segments/{id}/members': {
        get: {
          summary: 'Members of a segment, by customer id (keyset pagination)',
          parameters: [
            { ...idParameter, description: 'Segment id' },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
            {
              name: 'after',
              in: 'query',
              description: 'The `next` cursor of the previous page',
              schema: { type: 'string' },
            },
          ],
          responses: { 200: json('MembersPage', 'One page of members'), ...errors(400, 401, 404, 405) },
        },
      },
      '/v1/segments/preview': {
        post: {
          summary: 'Count and sample the customers a JsonLogic condition selects, in the database',
          requestBody: { required: true, content: { 'application/json': { schema: ref('PreviewRequest') } } },
          responses: { 200: json('PreviewResponse', 'Count and sample'), ...errors(400, 401, 405, 413, 415) },
        },
      },
      '/v1/kpis': {
        get: {
          summary: 'The KPIs of a period, optionally of one segment, computed in the database',
          parameters: [
            {
              name: 'from',
              in: 'query',
              required: true,
              description: 'Start, inclusive: ISO date or epoch ms',
              schema: { type: 'string' },
            },
            {
              name: 'to',
              in: 'query',
              required: true,
              description: 'End, exclusive: ISO date or epoch ms',
              schema: { type: 'string' },
            },
            {
              name: 'segment',
              in: 'query',
              description: 'A named or RFM segment id',
              schema: { type: 'string', minLength: 1, maxLength: 320 },
            },
          ],
          responses: { 200: json('KpisResponse', 'The KPIs'), ...errors(400, 401, 404, 405) },
        },
      },
      '/v1/openapi.json': {
        get: {
          summary: 'This document',
          security: [],
          responses: { 200: { description: 'OpenAPI 3.1', content: { 'application/json': {} } } },
        },
      },
    },
  }
  return cached
}
