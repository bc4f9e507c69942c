/**
 * Writes the API's OpenAPI document and a typed TypeScript client generated from it.
 *
 *   npm run openapi -- --out <folder>    # <folder>/openapi.json and <folder>/linkguard-client.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openApiDocument } from '../functions/api/openapi';
import { emitTypeScriptClient } from './emit-typescript-client';

const { values } = parseArgs({ options: { out: { type: 'string', default: '.openapi' } } });
const out = resolve(values.out);
mkdirSync(out, { recursive: true });
const document = openApiDocument();
writeFileSync(join(out, 'openapi.json'), `${JSON.stringify(document, null, 2)}\n`);
writeFileSync(join(out, 'linkguard-client.ts'), emitTypeScriptClient(document));
console.log(`Wrote ${join(out, 'openapi.json')} and ${join(out, 'linkguard-client.ts')}`);
