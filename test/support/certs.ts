// A throw-away certificate authority for the TLS tests (MQTT over TLS, Domoticz over HTTPS), made by
// openssl in `dir`: ca.crt, a server certificate for 127.0.0.1 and localhost (server.crt, server.key) and
// a client certificate (client.crt, client.key), all signed by the CA and valid for two days.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface Certs {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

const execFileAsync = promisify(execFile);
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-noenc', '-days', '2'];

async function openssl(dir: string, args: string[]): Promise<void> {
  try {
    await execFileAsync('openssl', args, { cwd: dir });
  } catch (e) {
    throw new Error(`openssl ${args.join(' ')} failed: ${(e as { stderr?: string }).stderr ?? String(e)}`, { cause: e });
  }
}

/** A certificate signed by the CA in `dir`, with these extensions. */
function leaf(dir: string, name: string, subject: string, extensions: string[]): Promise<void> {
  const ext = ['basicConstraints=critical,CA:FALSE', ...extensions].flatMap((e) => ['-addext', e]);
  return openssl(dir, [
    'req',
    '-x509',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    ...EC_KEY,
    '-subj',
    subject,
    ...ext,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
  ]);
}

export async function makeCerts(dir: string): Promise<Certs> {
  const ca = ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign'].flatMap((e) => ['-addext', e]);
  await openssl(dir, ['req', '-x509', ...EC_KEY, '-subj', '/CN=multical test CA', ...ca, '-keyout', 'ca.key', '-out', 'ca.crt']);
  await Promise.all([
    leaf(dir, 'server', '/CN=127.0.0.1', ['subjectAltName=IP:127.0.0.1,DNS:localhost', 'extendedKeyUsage=serverAuth']),
    leaf(dir, 'client', '/CN=multical', ['extendedKeyUsage=clientAuth']),
  ]);
  const at = (name: string): string => join(dir, name);
  return {
    ca: at('ca.crt'),
    serverCert: at('server.crt'),
    serverKey: at('server.key'),
    clientCert: at('client.crt'),
    clientKey: at('client.key'),
  };
}
