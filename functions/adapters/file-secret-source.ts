import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** 256 random bits, base64url: the default for a generated local secret. */
const randomSecret = async () => randomBytes(32).toString('base64url');

/** A secret string in a local file, generated on first use. Local mode only (`.data/`, mode 0600). */
export class FileSecretSource {
  constructor(
    private readonly path: string,
    private readonly generate: () => Promise<string> = randomSecret,
  ) {}

  async load(): Promise<string> {
    try {
      return (await readFile(this.path, 'utf8')).trim();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await mkdir(dirname(this.path), { recursive: true });
    const value = await this.generate();
    try {
      await writeFile(this.path, `${value}\n`, { flag: 'wx', mode: 0o600 });
      return value;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return (await readFile(this.path, 'utf8')).trim();
    }
  }
}
