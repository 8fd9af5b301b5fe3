#!/usr/bin/env node
// Generates the API reference (docs/api/<package>/, markdown) from the TSDoc of each package's
// public surface, packages/<name>/src/index.ts. Run with `npm run docs:api`.
//
// Each package is converted on its own, with `@ecrm/*` mapped to the sibling sources, so the
// reference always matches the code in the tree and no build is needed first. Exports and members
// without a TSDoc comment are listed at the end (typedoc's `notDocumented` validation); they do not fail
// the run unless `--strict` is given.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Application, LogLevel, ReflectionKind } from 'typedoc'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outRoot = join(root, 'docs', 'api')
const strict = process.argv.includes('--strict')

/** The packages, in the order of the index page, with one line each about what they hold. */
const packages = [
  {
    name: 'core',
    about:
      'event model, delivery pipeline, customer intelligence (profiles, RFM, CLV, leads, rules, experiments, KPIs)',
  },
  {
    name: 'browser',
    about:
      'the storefront client: script tag and ESM, IndexedDB outbox, identity, consent, capture, on-site intelligence',
  },
  {
    name: 'node',
    about:
      'the server client, file queue, ingest handler, PGlite and PostgreSQL stores, rule runner, `ecrm` CLI pieces',
  },
  { name: 'react', about: '`<EcrmProvider>` and the hooks' },
]

/** Kinds that must carry TSDoc: the exported names themselves, not every member of them. */
const mustBeDocumented = ['Function', 'Class', 'Interface', 'TypeAlias', 'Variable', 'Enum']

/** `@ecrm/<name>` resolves to the sources, so types across packages are the current ones. */
const paths = Object.fromEntries(
  packages.map(({ name }) => [`@ecrm/${name}`, [join(root, 'packages', name, 'src', 'index.ts')]]),
)

/** Collects typedoc's warnings, and picks out the "not documented" ones. */
function createLogSink() {
  const warnings = []
  const undocumented = []
  return {
    warnings,
    undocumented,
    log(message, level) {
      // typedoc colours its own prefix ("[warning] "); keep the sentence only.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the ANSI colour codes being stripped.
      const colourCode = /\u001b\[[0-9;]*m/g
      const text = String(message)
        .replace(colourCode, '')
        .replace(/^\[(warning|error)\]\s*/, '')
      if (level === LogLevel.Error) console.error(`  error: ${text}`)
      if (level !== LogLevel.Warn) return
      const missing = /^(.+?), defined in (.+?), does not have any documentation/.exec(text)
      if (missing) undocumented.push({ name: missing[1], where: missing[2] })
      else warnings.push(text)
    },
  }
}

/** The folder typedoc-plugin-markdown gives each kind of export (`outputFileStrategy: 'members'`). */
const kindFolders = new Map([
  [ReflectionKind.Class, 'classes'],
  [ReflectionKind.Function, 'functions'],
  [ReflectionKind.Interface, 'interfaces'],
  [ReflectionKind.TypeAlias, 'type-aliases'],
  [ReflectionKind.Variable, 'variables'],
  [ReflectionKind.Enum, 'enumerations'],
])

/**
 * Links from a member page of one package (`docs/api/<pkg>/<folder>/<Name>.md`) to the pages of
 * another package's exports, for typedoc's `externalSymbolLinkMappings`, so `Queue` in a browser
 * signature points at the core page of `Queue`.
 */
function linkMappings(project, name) {
  const links = {}
  for (const child of project.children ?? []) {
    const folder = kindFolders.get(child.kind)
    if (folder !== undefined) links[child.name] = `../../${name}/${folder}/${child.name}.md`
  }
  return links
}

async function generate({ name }, externalLinks) {
  const dir = join(root, 'packages', name)
  const out = join(outRoot, name)
  rmSync(out, { recursive: true, force: true })
  const app = await Application.bootstrapWithPlugins({
    entryPoints: [join(dir, 'src', 'index.ts')],
    tsconfig: join(dir, 'tsconfig.json'),
    // rootDir would refuse the sibling sources that `paths` pulls in; declarations are not emitted.
    compilerOptions: { paths, rootDir: root, noEmit: true },
    plugin: ['typedoc-plugin-markdown'],
    out,
    name: `@ecrm/${name}`,
    readme: 'none',
    // Type errors belong to `npm run typecheck`; here they would only stop the docs.
    skipErrorChecking: true,
    excludePrivate: true,
    excludeInternal: true,
    disableSources: false,
    disableGit: true,
    // Member pages sit four folders below the repository root: docs/api/<pkg>/<folder>/.
    sourceLinkTemplate: '../../../../{path}#L{line}',
    displayBasePath: root,
    externalSymbolLinkMappings: externalLinks,
    validation: { notExported: false, invalidLink: true, notDocumented: true, rewrittenLink: true },
    requiredToBeDocumented: mustBeDocumented,
    // typedoc-plugin-markdown
    outputFileStrategy: 'members',
    entryFileName: 'README.md',
    hidePageHeader: true,
    useCodeBlocks: true,
    parametersFormat: 'table',
    interfacePropertiesFormat: 'table',
    typeAliasPropertiesFormat: 'table',
    classPropertiesFormat: 'table',
    enumMembersFormat: 'table',
    indexFormat: 'table',
    logLevel: 'Warn',
  })
  const sink = createLogSink()
  app.logger.log = (message, level) => sink.log(message, level)
  const project = await app.convert()
  if (project === undefined)
    throw new Error(`docs:api: typedoc could not convert packages/${name}/src/index.ts (see the errors above)`)
  app.validate(project)
  await app.generateOutputs(project)
  return { name, exports: project.children?.length ?? 0, links: linkMappings(project, name), ...sink }
}

/**
 * typedoc gives the first export of an index file the file's leading comment ("@ecrm/x — ...")
 * in the package page's tables, hiding that export's own summary (its own page is right). Put
 * the summary from the export's page back in the table, so the sources need no special tag.
 */
function repairIndexSummaries(name) {
  const readmePath = join(outRoot, name, 'README.md')
  const lines = readFileSync(readmePath, 'utf8').split('\n')
  const packageComment = new RegExp(`^@ecrm/${name} — `)
  let repaired = 0
  const fixed = lines.map((line) => {
    const row = /^\| \[([^\]]+)\]\(([^)]+)\) \| (.*) \|$/.exec(line)
    if (row === null || !packageComment.test(row[3] ?? '')) return line
    const page = readFileSync(join(outRoot, name, row[2]), 'utf8')
    // The member page: breadcrumb, title, signature, "Defined in", then the summary paragraph.
    const afterDefined = page.split(/^Defined in: .*$/m)[1] ?? ''
    const summary = afterDefined
      .trim()
      .split(/\n\s*\n/)[0]
      ?.replace(/\s*\n\s*/g, ' ')
      .trim()
    if (summary === undefined || summary === '' || summary.startsWith('#')) return line
    repaired += 1
    // The summary's links are relative to the member page (`functions/a.md`): there `b.md` is
    // `functions/b.md` here, and `../variables/c.md` is `variables/c.md`.
    const folder = dirname(row[2] ?? '')
    const relinked = summary.replace(/\]\((?!\.\.\/|https?:|#)/g, `](${folder}/`).replace(/\]\(\.\.\/(?!\.\.\/)/g, '](')
    return `| [${row[1]}](${row[2]}) | ${relinked.replaceAll('|', '\\|')} |`
  })
  // Links to other packages are written for member pages, one folder deeper than this page.
  const otherPackage = new RegExp(`\\]\\(\\.\\./\\.\\./(${packages.map((entry) => entry.name).join('|')})/`, 'g')
  writeFileSync(readmePath, fixed.join('\n').replace(otherPackage, '](../$1/'))
  return repaired
}

function writeIndex(results) {
  const rows = results.map(({ name, exports }) => {
    const about = packages.find((entry) => entry.name === name)?.about ?? ''
    return `| [\`@ecrm/${name}\`](${name}/README.md) | ${exports} | ${about} |`
  })
  const text = [
    '# API reference',
    '',
    '> Generated from the TSDoc of `packages/*/src/index.ts` by `npm run docs:api` (`scripts/docs-api.mjs`).',
    '> Do not edit by hand: fix the comment in the source and run it again.',
    '',
    'For concepts and examples, start at [the docs index](../README.md).',
    '',
    '| package | exports | what it holds |',
    '|---|---|---|',
    ...rows,
    '',
  ].join('\n')
  writeFileSync(join(outRoot, 'README.md'), text)
}

mkdirSync(outRoot, { recursive: true })
const results = []
/** Package name → its exports' pages; each package links into those generated before it. */
const externalLinks = {}
for (const entry of packages) {
  process.stdout.write(`docs:api: @ecrm/${entry.name} ... `)
  const result = await generate(entry, { ...externalLinks })
  const repaired = repairIndexSummaries(entry.name)
  externalLinks[`@ecrm/${entry.name}`] = result.links
  console.log(
    `${result.exports} exports, ${result.undocumented.length} members without TSDoc${repaired > 0 ? `, ${repaired} index summary repaired` : ''}`,
  )
  results.push(result)
}
writeIndex(results)

const undocumented = results.flatMap(({ name, undocumented: list }) => list.map((item) => ({ package: name, ...item })))
const otherWarnings = results.flatMap(({ name, warnings }) => warnings.map((text) => `@ecrm/${name}: ${text}`))
if (undocumented.length > 0) {
  console.log(`\ndocs:api: ${undocumented.length} members of exports lack TSDoc:`)
  for (const item of undocumented) console.log(`  @ecrm/${item.package}  ${item.name}  (${item.where})`)
}
if (otherWarnings.length > 0) {
  console.log(`\ndocs:api: ${otherWarnings.length} other warnings:`)
  for (const text of otherWarnings) console.log(`  ${text}`)
}
console.log(`\ndocs:api: wrote ${relative(root, outRoot)}/`)
if (strict && (undocumented.length > 0 || otherWarnings.length > 0)) process.exitCode = 1
