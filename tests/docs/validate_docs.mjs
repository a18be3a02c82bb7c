// Validates the pipeline JSON Schema and every pipeline shown to users.
//
//   node tests/docs/validate_docs.mjs <repo-root>
//
// 1. Compiles docs/schema/*.schema.json with Ajv (draft 2020-12, strict mode), which also
//    checks each schema against the draft's meta-schema.
// 2. Validates every ```yaml / ```yml block of docs/*.md and every .slipway.yml and
//    *.slipway.yml under examples/ against docs/schema/pipeline.schema.json. A docs block whose
//    first line is `# yaml-language-server: $schema=.../<name>.schema.json` is validated against
//    docs/schema/<name>.schema.json instead (for the other file kinds later docs describe).
// 3. Checks that known-good edge cases pass and known-bad documents fail, so the test cannot
//    pass vacuously (e.g. with a schema that accepts anything).
// 4. The HTTP API: validates docs/openapi.yaml with @apidevtools/swagger-parser (OpenAPI 3.x
//    meta-schema and semantic checks); checks that its (method, path) pairs are exactly the
//    route table of src/api/routes.cc (the `{"METHOD", "/pattern", …}` lines between
//    BEGIN ROUTES and END ROUTES) and that docs/api.md names every route as `METHOD /path`;
//    and validates the JSON examples of docs/*.md against the components/schemas of
//    docs/openapi.yaml. An example is a ```json block whose preceding line is
//    `<!-- schema: Name -->` (Name a key of components/schemas); in docs/api.md every ```json
//    block must carry one (`<!-- schema: none -->` opts out). Known-bad examples must fail.
//
// Installs nothing: run `npm ci --prefix tests/docs` first (scripts/setup does).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
if (!['ajv', 'yaml', '@apidevtools/swagger-parser'].every(
        (name) => existsSync(path.join(here, 'node_modules', name)))) {
  console.log('npm ci --prefix tests/docs');
  process.exit(1);
}
const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020').default;
const YAML = require('yaml');
const SwaggerParser = require('@apidevtools/swagger-parser');

const root = path.resolve(process.argv[2] ?? path.join(here, '..', '..'));
const schemaDir = path.join(root, 'docs', 'schema');
const pipelineSchemaName = 'pipeline.schema.json';

let passed = 0;
let failed = 0;
function pass(what) {
  passed++;
  console.log(`ok    ${what}`);
}
function fail(what, problems) {
  failed++;
  console.log(`FAIL  ${what}`);
  for (const p of problems) console.log(`        ${p}`);
}

// ---- 1. schemas -------------------------------------------------------------------------
const validators = new Map();  // schema file name -> validate function
function compileSchemas() {
  if (!existsSync(path.join(schemaDir, pipelineSchemaName))) {
    fail(`docs/schema/${pipelineSchemaName}`, ['file is missing']);
    return;
  }
  for (const name of readdirSync(schemaDir).filter((n) => n.endsWith('.schema.json')).sort()) {
    const what = `docs/schema/${name} compiles (Ajv2020, strict)`;
    try {
      const schema = JSON.parse(readFileSync(path.join(schemaDir, name), 'utf8'));
      const ajv = new Ajv2020({ strict: true, allErrors: true });
      validators.set(name, ajv.compile(schema));
      pass(what);
    } catch (e) {
      fail(what, [e.message]);
    }
  }
}

// ---- 2. documents ---------------------------------------------------------------------
// Parses YAML text into plain data. Duplicate keys are errors (as in the loader) and the
// YAML 1.2 core schema is used (yes/no/on/off are strings). `lineOffset` is added to line
// numbers, for blocks inside a markdown file. Returns {problems} or {data, where}, where
// where(instancePath) gives "line:col: " of the value an Ajv error points at.
function parseYaml(text, lineOffset = 0) {
  const lineCounter = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { uniqueKeys: true, lineCounter });
  const at = (offset) => {
    const { line, col } = lineCounter.linePos(offset);
    return `${line + lineOffset}:${col}: `;
  };
  const issues = [...doc.errors, ...doc.warnings];
  if (issues.length) {
    return { problems: issues.map((e) => `${at(e.pos[0])}YAML: ${e.message.split('\n')[0]}`) };
  }
  const where = (instancePath) => {
    let node = doc.contents;
    for (const raw of instancePath.split('/').slice(1)) {
      const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      if (!YAML.isMap(node) && !YAML.isSeq(node)) break;
      const next = node.get(YAML.isSeq(node) ? Number(key) : key, true);
      if (!next) break;
      node = next;
    }
    return node?.range ? at(node.range[0]) : '';
  };
  return { data: doc.toJS({ maxAliasCount: 100 }), where };
}

// Formats Ajv errors as "line:col: at /jobs/x/timeout: message", without repeats.
function describeErrors(errors, where = () => '') {
  const lines = errors.map((e) => {
    let msg = e.message;
    if (e.keyword === 'additionalProperties') msg += ` ('${e.params.additionalProperty}')`;
    if (e.keyword === 'enum') msg += ` (${e.params.allowedValues.join(', ')})`;
    return `${where(e.instancePath)}at ${e.instancePath || '/'}: ${msg}`;
  });
  return [...new Set(lines)];
}

function checkDocument(what, text, schemaName, lineOffset = 0) {
  const validate = validators.get(schemaName);
  if (!validate) {
    const exists = existsSync(path.join(schemaDir, schemaName));
    fail(what, [`docs/schema/${schemaName} ${exists ? 'did not compile' : 'does not exist'}`]);
    return;
  }
  const parsed = parseYaml(text, lineOffset);
  if (parsed.problems) fail(what, parsed.problems);
  else if (validate(parsed.data)) pass(what);
  else fail(what, describeErrors(validate.errors, parsed.where));
}

// ```yaml blocks of a markdown file: [{line (1-based, of the first content line), text}].
function yamlBlocks(markdown) {
  const blocks = [];
  const lines = markdown.split('\n');
  let open = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = /^(\s*)(`{3,}|~{3,})\s*([^`\s]*)?.*$/.exec(line);
    if (!open) {
      if (fence) {
        open = { marker: fence[2], lang: (fence[3] || '').toLowerCase(), start: i + 2, body: [] };
      }
    } else if (fence && fence[2][0] === open.marker[0] && fence[2].length >= open.marker.length &&
               !fence[3]) {
      if (open.lang === 'yaml' || open.lang === 'yml') {
        blocks.push({ line: open.start, text: open.body.join('\n') + '\n' });
      }
      open = null;
    } else {
      open.body.push(line);
    }
  }
  return blocks;
}

// The schema a docs block names in a yaml-language-server comment on its first line.
function schemaOfBlock(text) {
  const m = /^#\s*yaml-language-server:\s*\$schema=(\S+)/.exec(text.split('\n')[0]);
  return m ? path.posix.basename(m[1]) : pipelineSchemaName;
}

function checkDocs() {
  const docsDir = path.join(root, 'docs');
  const files = existsSync(docsDir)
      ? readdirSync(docsDir).filter((n) => n.endsWith('.md')).sort() : [];
  let blocks = 0;
  for (const name of files) {
    const markdown = readFileSync(path.join(docsDir, name), 'utf8');
    for (const block of yamlBlocks(markdown)) {
      blocks++;
      checkDocument(`docs/${name}:${block.line} (yaml block)`, block.text,
                    schemaOfBlock(block.text), block.line - 1);
    }
  }
  if (!files.includes('pipeline.md')) fail('docs/pipeline.md', ['file is missing']);
  else if (blocks === 0) fail('docs/*.md', ['no ```yaml block found']);
}

function findPipelineFiles(dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules' || name === '.git') continue;
    const full = path.join(dir, name);
    const st = statSync(full);
    if (st.isDirectory()) findPipelineFiles(full, out);
    else if (name === '.slipway.yml' || name.endsWith('.slipway.yml')) out.push(full);
  }
  return out;
}

function checkExamples() {
  const dir = path.join(root, 'examples');
  const files = existsSync(dir) ? findPipelineFiles(dir) : [];
  if (files.length === 0) {
    fail('examples/', ['no .slipway.yml found']);
    return;
  }
  for (const file of files) {
    checkDocument(path.relative(root, file), readFileSync(file, 'utf8'), pipelineSchemaName);
  }
}

// ---- 3. known-good and known-bad documents --------------------------------------------------
const ok = (steps = '    steps:\n      - run: make\n') => `jobs:\n  build:\n${steps}`;
const knownGood = {
  'minimal pipeline': ok(),
  'event list, retry shorthand, string needs': `on: [push, manual]
jobs:
  a:
    steps: [{run: 'true'}]
  b:
    needs: a
    retry: 2
    timeout: 1h30m
    steps: [{run: 'true', timeout: 250ms, shell: 'perl {0}'}]
`,
  'matrix with include only, numbers kept as scalars': `jobs:
  t:
    matrix:
      include: [{os: linux, node: 18}]
    env: {N: 1.10, DEBUG: false}
    steps: [{run: echo, working-directory: 'src/a..b'}]
`,
  'manual inputs of every type': `on:
  push:
  manual:
    inputs:
      level: {type: choice, options: [low, high], default: low}
      dry-run: {type: boolean, default: true}
      count: {type: number, default: 3}
      note: {description: free text, default: hi, required: false}
jobs:
  x: {steps: [{run: 'true'}]}
`,
  'fractional duration, boolean if, numeric default of a string input': `on:
  manual:
    inputs:
      version: {default: 1.10}
jobs:
  x:
    if: false
    timeout: 1.5h
    retry: {on: infra, exit-codes: 3}
    steps: [{run: 'true', if: "\${{ always() }}"}]
`,
  'schedule with @daily and cron': `on:
  schedule:
    - cron: '@daily'
    - cron: '0 3 * * 1-5'
jobs:
  x: {steps: [{run: 'true'}]}
`,
};
// name -> [document, the instance path where the schema must report an error].
const knownBad = {
  'unknown job key (need)': [`jobs:
  a:
    steps: [{run: 'true'}]
  b:
    need: a
    steps: [{run: 'true'}]
`, '/jobs/b'],
  'unknown top-level key (job)': [`job:\n  a:\n    steps: [{run: 'true'}]\n`, ''],
  'unknown step key (uses)': [
    ok('    steps:\n      - uses: actions/checkout@v4\n        run: make\n'), '/jobs/build/steps/0'],
  'bare-number duration': [ok('    timeout: 30\n    steps: [{run: make}]\n'), '/jobs/build/timeout'],
  'duration without unit': [
    ok('    steps: [{run: make, timeout: "30"}]\n'), '/jobs/build/steps/0/timeout'],
  'duration with unknown unit': [
    ok('    timeout: 5min\n    steps: [{run: make}]\n'), '/jobs/build/timeout'],
  'zero duration': [ok('    timeout: 0s\n    steps: [{run: make}]\n'), '/jobs/build/timeout'],
  'string where a boolean is expected': [
    ok('    steps: [{run: make, continue-on-error: "yes"}]\n'),
    '/jobs/build/steps/0/continue-on-error'],
  'string where an integer is expected': [
    ok('    matrix: {os: [linux], max-parallel: "2"}\n    steps: [{run: make}]\n'),
    '/jobs/build/matrix/max-parallel'],
  'steps is a map': [ok('    steps: {run: make}\n'), '/jobs/build/steps'],
  'empty steps': [ok('    steps: []\n'), '/jobs/build/steps'],
  'step without run': [ok('    steps: [{name: build}]\n'), '/jobs/build/steps/0'],
  'no jobs': ['name: empty\n', ''],
  'empty jobs': ['jobs: {}\n', '/jobs'],
  'bad job name': [`jobs:\n  1build:\n    steps: [{run: make}]\n`, '/jobs'],
  'bad output name': [
    ok('    outputs: [my.version]\n    steps: [{run: make}]\n'), '/jobs/build/outputs/0'],
  'retry above 10': [ok('    retry: 11\n    steps: [{run: make}]\n'), '/jobs/build/retry'],
  'unknown retry reason': [
    ok('    retry: {max: 1, on: [flake]}\n    steps: [{run: make}]\n'), '/jobs/build/retry/on/0'],
  'unknown shell preset': [
    ok('    steps: [{run: make, shell: zsh}]\n'), '/jobs/build/steps/0/shell'],
  'absolute working-directory': [
    ok('    steps: [{run: make, working-directory: /tmp}]\n'),
    '/jobs/build/steps/0/working-directory'],
  "'..' in working-directory": [
    ok('    steps: [{run: make, working-directory: src/../..}]\n'),
    '/jobs/build/steps/0/working-directory'],
  'cache without paths': [
    ok('    cache: {key: deps}\n    steps: [{run: make}]\n'), '/jobs/build/cache'],
  'empty matrix axis': [ok('    matrix: {os: []}\n    steps: [{run: make}]\n'), '/jobs/build/matrix/os'],
  'schedule in the list form': [
    `on: [push, schedule]\njobs:\n  a: {steps: [{run: make}]}\n`, '/on/1'],
  'cron with four fields': [
    `on: {schedule: [{cron: '0 3 * *'}]}\njobs:\n  a: {steps: [{run: make}]}\n`,
    '/on/schedule/0/cron'],
  'choice input without options': [`on: {manual: {inputs: {lvl: {type: choice}}}}
jobs:\n  a: {steps: [{run: make}]}\n`, '/on/manual/inputs/lvl'],
  'options on a string input': [`on: {manual: {inputs: {lvl: {options: [a, b]}}}}
jobs:\n  a: {steps: [{run: make}]}\n`, '/on/manual/inputs/lvl/options'],
  'boolean input with a string default': [
    `on: {manual: {inputs: {x: {type: boolean, default: "yes"}}}}
jobs:\n  a: {steps: [{run: make}]}\n`, '/on/manual/inputs/x/default'],
  'empty branch filter': [
    `on: {push: {branches: []}}\njobs:\n  a: {steps: [{run: make}]}\n`, '/on/push/branches'],
  'environment variable name with a dash': [
    ok('    env: {MY-VAR: x}\n    steps: [{run: make}]\n'), '/jobs/build/env'],
  'output listed twice': [
    ok('    outputs: [v, v]\n    steps: [{run: make}]\n'), '/jobs/build/outputs'],
  'matrix without axes or include': [
    ok('    matrix: {fail-fast: false}\n    steps: [{run: make}]\n'), '/jobs/build/matrix'],
  'exit code above 255': [
    ok('    retry: {max: 1, exit-codes: [1, 256]}\n    steps: [{run: make}]\n'),
    '/jobs/build/retry/exit-codes/1'],
  'env value that is a map': [ok('    env: {A: {b: c}}\n    steps: [{run: make}]\n'), '/jobs/build/env/A'],
  'SLO objective of 100%': [`slos:
  a:
    objective: 100
    sli: {prometheus: {address: 'http://p:9090', good: 'g[\${{ window }}]', total: 't[\${{ window }}]'}}
jobs:\n  a: {steps: [{run: make}]}\n`, '/slos/a/objective'],
  'SLI with both latency and good/total': [`slos:
  a:
    objective: 99
    sli: {prometheus: {address: 'http://p:9090', latency: {query: 'f[\${{ window }}]'}, good: 'g[\${{ window }}]', total: 't[\${{ window }}]'}}
jobs:\n  a: {steps: [{run: make}]}\n`, '/slos/a/sli/prometheus'],
  'SLI query without the window': [`slos:
  a:
    objective: 99.9
    sli: {prometheus: {address: 'http://p:9090', good: 'g[5m]', total: 't[\${{ window }}]'}}
jobs:\n  a: {steps: [{run: make}]}\n`, '/slos/a/sli/prometheus/good'],
};

function checkSelfTests() {
  const validate = validators.get(pipelineSchemaName);
  if (!validate) return;
  for (const [name, text] of Object.entries(knownGood)) {
    const parsed = parseYaml(text);
    if (parsed.problems) fail(`known-good: ${name}`, parsed.problems);
    else if (validate(parsed.data)) pass(`known-good: ${name}`);
    else fail(`known-good: ${name}`, describeErrors(validate.errors, parsed.where));
  }
  for (const [name, [text, where]] of Object.entries(knownBad)) {
    const what = `known-bad: ${name}`;
    const parsed = parseYaml(text);
    if (parsed.problems) {
      fail(what, ['not valid YAML, so the case tests nothing']);
    } else if (validate(parsed.data)) {
      fail(what, ['was accepted by the schema']);
    } else if (!validate.errors.some((e) => e.instancePath === where)) {
      fail(what, [`rejected, but not at ${where || '/'}:`,
                  ...describeErrors(validate.errors, parsed.where)]);
    } else {
      pass(`${what} is rejected at ${where || '/'}`);
    }
  }
}

// ---- 4. the HTTP API: docs/openapi.yaml, src/api/routes.cc, docs/api.md -------------------
const httpMethods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

// The (method, path) pairs of the kRoutes table: "GET /healthz", ...
function routesOfSource(text) {
  const begin = text.indexOf('// BEGIN ROUTES');
  const end = text.indexOf('// END ROUTES');
  if (begin < 0 || end < begin) return null;
  const routes = [];
  for (const line of text.slice(begin, end).split('\n')) {
    const m = /^\s*\{\s*"([A-Z]+)"\s*,\s*"([^"]+)"/.exec(line);
    if (m) routes.push(`${m[1]} ${m[2]}`);
  }
  return routes;
}

// The (method, path) pairs of an OpenAPI document.
function routesOfOpenApi(doc) {
  const routes = [];
  for (const [p, item] of Object.entries(doc?.paths ?? {})) {
    for (const method of httpMethods) {
      if (item && typeof item === 'object' && method in item) {
        routes.push(`${method.toUpperCase()} ${p}`);
      }
    }
  }
  return routes;
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// Whether markdown names the route as "METHOD /path" (e.g. in a heading or a table row).
function mentionsRoute(markdown, route) {
  const [method, p] = route.split(' ');
  return new RegExp(`(^|[^A-Za-z])${method}\\s+${escapeRegExp(p)}(?=$|[\\s\`?|)*])`, 'm')
      .test(markdown);
}

// Headings "### METHOD /path" of a markdown file, with their line numbers.
function routeHeadings(markdown) {
  const found = [];
  markdown.split('\n').forEach((line, i) => {
    const m = /^#{2,6}\s+`?(GET|PUT|POST|DELETE|PATCH|HEAD|OPTIONS)\s+(\/[^\s`]*)`?/.exec(line);
    if (m) found.push({ line: i + 1, route: `${m[1]} ${m[2].replace(/\?.*$/, '')}` });
  });
  return found;
}

// An Ajv validator per components/schemas entry, refs rewritten to $defs.
function compileApiSchemas(doc) {
  const schemas = JSON.parse(JSON.stringify(doc.components?.schemas ?? {})
      .replace(/"#\/components\/schemas\//g, '"#/$defs/'));
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ $id: 'slipway-api', $defs: schemas });
  const out = new Map();
  for (const name of Object.keys(schemas)) {
    out.set(name, ajv.compile({ $ref: `slipway-api#/$defs/${name}` }));
  }
  return out;
}

// ```json blocks of a markdown file with the schema named on the line before the fence:
// [{line (1-based, of the fence), schema (or null), text}].
function jsonBlocks(markdown) {
  const blocks = [];
  const lines = markdown.split('\n');
  let open = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = /^(\s*)(`{3,}|~{3,})\s*([^`\s]*)?.*$/.exec(line);
    if (!open) {
      if (fence) {
        let j = i - 1;
        while (j >= 0 && lines[j].trim() === '') j--;
        const m = j >= 0 ? /^\s*<!--\s*schema:\s*(\S+)\s*-->\s*$/.exec(lines[j]) : null;
        open = { marker: fence[2], lang: (fence[3] || '').toLowerCase(), line: i + 1,
                 schema: m ? m[1] : null, body: [] };
      }
    } else if (fence && fence[2][0] === open.marker[0] && fence[2].length >= open.marker.length &&
               !fence[3]) {
      if (open.lang === 'json') {
        blocks.push({ line: open.line, schema: open.schema, text: open.body.join('\n') });
      }
      open = null;
    } else {
      open.body.push(line);
    }
  }
  return blocks;
}

function checkJsonExample(what, text, schemaName, validators) {
  const validate = validators.get(schemaName);
  if (!validate) {
    fail(what, [`no schema '${schemaName}' in components/schemas of docs/openapi.yaml`]);
    return;
  }
  let data;
  try {
    data = JSON.parse(text);
  } catch (e) {
    fail(what, [`not valid JSON: ${e.message}`]);
    return;
  }
  if (validate(data)) pass(`${what} is a valid ${schemaName}`);
  else fail(`${what} is not a valid ${schemaName}`, describeErrors(validate.errors));
}

// Examples that must fail, so the schemas cannot accept anything.
const knownBadApiExamples = {
  'RunSummary without status': ['RunSummary', {
    project: 'hello', number: 1, id: 1, trigger: 'manual', event: 'manual',
    ref: 'refs/heads/main', branch: 'main', commit: 'a'.repeat(40), created_by: 'ci',
    cancel_requested: false, created: '2026-11-26T13:31:16.123Z', started: null,
    finished: null }],
  'Project showing its webhook secret': ['Project', {
    name: 'hello', repo: 'https://git.example/hello.git', branch: 'main',
    pipeline_file: '.slipway.yml', poll_interval_seconds: 60,
    created: '2026-11-26T13:31:16.123Z', webhook_secret: 'x'.repeat(20) }],
  'Error without a code': ['Error', { error: { message: 'no' } }],
  'Job with an unknown status': ['Job', {
    id: 1, instance: 'build', job: 'build', matrix: {}, status: 'done', reason: '',
    attempts: 1, outputs: {}, created: '2026-11-26T13:31:16.123Z', queued: null,
    started: null, finished: null, runs_on: [] }],
  'time without milliseconds': ['Time', '2026-11-26T13:31:16Z'],
};

// What swagger-parser checks only for Swagger 2.0: each operation declares exactly the path
// parameters of its path (required), and operationIds are unique. `doc` is dereferenced.
function semanticProblems(doc) {
  const problems = [];
  const ids = new Map();
  for (const [p, item] of Object.entries(doc.paths ?? {})) {
    const names = [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const method of httpMethods.filter((m) => item[m])) {
      const op = item[method];
      const where = `${method.toUpperCase()} ${p}`;
      const params = new Map();
      for (const param of [...(item.parameters ?? []), ...(op.parameters ?? [])]) {
        if (param.in === 'path') params.set(param.name, param);
      }
      for (const name of names) {
        if (!params.has(name)) problems.push(`${where}: path parameter '${name}' is not declared`);
        else if (params.get(name).required !== true) {
          problems.push(`${where}: path parameter '${name}' must be required: true`);
        }
      }
      for (const name of params.keys()) {
        if (!names.includes(name)) problems.push(`${where}: '${name}' is not in the path`);
      }
      if (op.operationId) {
        if (ids.has(op.operationId)) {
          problems.push(`${where}: operationId '${op.operationId}' is also used by ` +
                        ids.get(op.operationId));
        }
        ids.set(op.operationId, where);
      }
    }
  }
  return problems;
}

async function checkApi() {
  const specPath = path.join(root, 'docs', 'openapi.yaml');
  const routesPath = path.join(root, 'src', 'api', 'routes.cc');
  const apiMdPath = path.join(root, 'docs', 'api.md');
  if (!existsSync(specPath)) {
    fail('docs/openapi.yaml', ['file is missing']);
    return;
  }
  const parsed = parseYaml(readFileSync(specPath, 'utf8'));
  if (parsed.problems) {
    fail('docs/openapi.yaml', parsed.problems);
    return;
  }
  const doc = parsed.data;
  try {
    // validate() checks the document against the OpenAPI meta-schema and resolves every $ref.
    const resolved = await SwaggerParser.validate(structuredClone(doc));
    pass(`docs/openapi.yaml is valid OpenAPI ${doc.openapi} (@apidevtools/swagger-parser)`);
    const problems = semanticProblems(resolved);
    if (problems.length) fail('docs/openapi.yaml path parameters and operationIds', problems);
    else pass('docs/openapi.yaml path parameters and operationIds');
  } catch (e) {
    fail('docs/openapi.yaml is valid OpenAPI (@apidevtools/swagger-parser)',
         String(e.message).split('\n').filter((l) => l.trim()));
  }

  // Routes: the server's table, the OpenAPI paths, docs/api.md.
  const source = existsSync(routesPath) ? readFileSync(routesPath, 'utf8') : '';
  const served = routesOfSource(source);
  if (!served || served.length === 0) {
    fail('src/api/routes.cc', ['no {"METHOD", "/pattern", …} lines between BEGIN ROUTES and ' +
                               'END ROUTES']);
    return;
  }
  const described = routesOfOpenApi(doc);
  const missing = served.filter((r) => !described.includes(r));
  const extra = described.filter((r) => !served.includes(r));
  if (missing.length || extra.length) {
    fail('docs/openapi.yaml paths = the route table of src/api/routes.cc', [
      ...missing.map((r) => `route ${r} (src/api/routes.cc) is missing from docs/openapi.yaml`),
      ...extra.map((r) => `docs/openapi.yaml has ${r}, which src/api/routes.cc does not serve`),
    ]);
  } else {
    pass(`docs/openapi.yaml paths = the ${served.length} routes of src/api/routes.cc`);
  }
  if (!existsSync(apiMdPath)) {
    fail('docs/api.md', ['file is missing']);
  } else {
    const markdown = readFileSync(apiMdPath, 'utf8');
    const undocumented = served.filter((r) => !mentionsRoute(markdown, r));
    const unknown = routeHeadings(markdown).filter((h) => !served.includes(h.route));
    if (undocumented.length || unknown.length) {
      fail('docs/api.md documents every route of src/api/routes.cc', [
        ...undocumented.map((r) => `route ${r} is not described in docs/api.md ` +
                                   `(write it as "${r}")`),
        ...unknown.map((h) => `docs/api.md:${h.line}: heading names ${h.route}, which ` +
                              'src/api/routes.cc does not serve'),
      ]);
    } else {
      pass(`docs/api.md describes all ${served.length} routes`);
    }
  }

  // Examples.
  let validators;
  try {
    validators = compileApiSchemas(doc);
  } catch (e) {
    fail('components/schemas of docs/openapi.yaml compile (Ajv2020)', [e.message]);
    return;
  }
  for (const [name, [schema, example]] of Object.entries(knownBadApiExamples)) {
    const validate = validators.get(schema);
    if (!validate) fail(`known-bad API example: ${name}`, [`no schema '${schema}'`]);
    else if (validate(example)) fail(`known-bad API example: ${name}`, ['was accepted']);
    else pass(`known-bad API example: ${name} is rejected`);
  }
  const docsDir = path.join(root, 'docs');
  let examples = 0;
  for (const name of readdirSync(docsDir).filter((n) => n.endsWith('.md')).sort()) {
    const markdown = readFileSync(path.join(docsDir, name), 'utf8');
    for (const block of jsonBlocks(markdown)) {
      const what = `docs/${name}:${block.line} (json block)`;
      if (block.schema === null) {
        if (name === 'api.md') {
          fail(what, ['no <!-- schema: Name --> line before it (use "none" for a block that ' +
                      'is not an API object)']);
        }
        continue;
      }
      if (block.schema === 'none') continue;
      examples++;
      checkJsonExample(what, block.text, block.schema, validators);
    }
  }
  if (examples === 0) fail('docs/api.md', ['no JSON example marked with <!-- schema: Name -->']);
}

compileSchemas();
checkSelfTests();
checkDocs();
checkExamples();
await checkApi();
console.log(`docs: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
