/**
 * The layer rules of functions/ (docs/architecture.md), enforced by test/unit/architecture.test.ts:
 *
 *   handlers → composition → adapters, domain, config, manifest
 *   adapters → domain            http → api, domain          api → domain
 *   domain → nothing of ours but domain, and no AWS SDK, Plaid client, middy or logger
 *
 * A wrong import fails `npm test`, with the rule's name and comment. To see the violations by hand:
 * `npx vitest run test/unit/architecture.test.ts`.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two modules one: split the shared part out, or invert the dependency.',
      from: { path: '^functions/' },
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment:
        'domain/ holds the rules: it imports only domain/ (and pure libraries), never an adapter, the AWS SDK, ' +
        'the Plaid client, middy, the logger, the configuration (the process.env holder) or the composition. ' +
        'Declare a port in domain/ports/ and implement it in adapters/.',
      from: { path: '^functions/domain/' },
      to: {
        path: [
          '^functions/(adapters|composition|handlers|http|api|config|manifest)/',
          '^node_modules/(@aws-sdk|plaid|axios|@middy|@aws-lambda-powertools|@node-rs|jose)/',
        ],
      },
    },
    {
      name: 'adapters-implement-ports',
      severity: 'error',
      comment:
        'adapters/ implement domain ports: they may import domain/ and each other, never the composition, ' +
        'the handlers, the HTTP layer or the configuration (they get their settings through constructors).',
      from: { path: '^functions/adapters/' },
      to: { path: '^functions/(composition|handlers|http|api|config|manifest)/' },
    },
    {
      name: 'http-receives-what-it-needs',
      severity: 'error',
      comment:
        'http/ is the middleware stack: it is given its settings (CORS origins...) by the composition root and ' +
        'never reaches up into composition/, handlers/, adapters/ or the configuration.',
      from: { path: '^functions/http/' },
      to: { path: '^functions/(composition|handlers|adapters|config|manifest)/' },
    },
    {
      name: 'api-is-the-contract',
      severity: 'error',
      comment: 'api/ is the HTTP contract (routes, schemas, statuses): it depends on domain types only.',
      from: { path: '^functions/api/' },
      to: { path: '^functions/(composition|handlers|adapters|http|config|manifest)/' },
    },
    {
      name: 'manifest-is-declarative',
      severity: 'error',
      comment:
        'manifest/ says what each function may use; it is read by the CDK stack, so it imports no runtime ' +
        'code: only the route contract, config section names and the table definition.',
      from: { path: '^functions/manifest/' },
      to: {
        path: '^functions/(composition|handlers|http|domain)/|^functions/adapters/(?!dynamo/table-definition)',
      },
    },
    {
      name: 'config-reads-only',
      severity: 'error',
      comment: 'config/ reads the environment; it never builds adapters or use cases.',
      from: { path: '^functions/config/' },
      to: { path: '^functions/(composition|handlers|manifest|api)/' },
    },
    {
      name: 'composition-is-not-a-handler',
      severity: 'error',
      comment: 'composition/ wires adapters into use cases; handlers sit on top of it, never below.',
      from: { path: '^functions/composition/' },
      to: { path: '^functions/handlers/' },
    },
    {
      name: 'handlers-go-through-composition',
      severity: 'error',
      comment:
        'A handler validates, calls one use case from composition/ and answers; it never builds adapters or ' +
        'reads configuration itself. (The deploy-time signing-key bootstrap and public-key publisher are CloudFormation custom ' +
        'resources, not request handlers, and talk to Secrets Manager directly.)',
      from: {
        path: '^functions/handlers/',
        pathNot: '^functions/handlers/(signing-key-bootstrap|public-jwks-publisher)\\.(ts|js)$',
      },
      to: { path: '^functions/(adapters|config)/' },
    },
    {
      name: 'functions-stand-alone',
      severity: 'error',
      comment: 'Deployed code never imports the CDK app, the local runtime, the bench or tests.',
      from: { path: '^functions/' },
      to: { path: '^(lib|bin|local|bench|test)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // dependency-cruiser cannot parse TypeScript 7 sources yet, so the test cruises a JavaScript copy
    // of functions/ in which type-only imports are kept as imports (a type dependency is a dependency).
    enhancedResolveOptions: {
      extensions: ['.js'],
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
