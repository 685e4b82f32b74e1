import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadGeoIp, setDefaultGeoIp } from '../../lib/geoip/index.ts';

const { compileRulesetSync } = await import('../index.ts');

function run(clientIp: string): number[] {
  const rs = compileRulesetSync({ text: 'SecRuleEngine On\nSecRule REMOTE_ADDR "@geoLookup" "id:100,phase:1,pass,nolog,chain"\n  SecRule GEO:COUNTRY_CODE "@streq FR" "setvar:tx.fr=1"\nSecRule GEO:ASN "@eq 64496" "id:102,phase:1,pass,log"\nSecRule TX:fr "@eq 1" "id:101,phase:1,deny,log"' });
  const tx = rs.newTransaction({ clientIp });
  tx.processRequestHeaders({ method: 'GET', uri: '/', headers: [['Host', 'a.test']] });
  tx.processRequestBody();
  tx.processLogging();
  return tx.matches.map((m) => m.id);
}

test('@geoLookup fills GEO from the GeoIP databases; without one it never matches', () => {
  const dir = mkdtempSync(join(tmpdir(), 'waf-geo-'));
  try {
    setDefaultGeoIp(loadGeoIp({}));
    assert.deepEqual(run('203.0.113.9'), [], 'no database: nothing matches');
    writeFileSync(join(dir, 'c.csv'), 'start,end,country,asn,org\n203.0.113.0,203.0.113.255,FR,64496,Test AS\n198.51.100.0/24,,DE\n');
    setDefaultGeoIp(loadGeoIp({ country: join(dir, 'c.csv'), asn: join(dir, 'c.csv') }));
    assert.deepEqual(run('203.0.113.9'), [102, 101], 'a French address on AS64496');
    assert.deepEqual(run('198.51.100.9'), [], 'a German address');
  } finally {
    setDefaultGeoIp(undefined);
    rmSync(dir, { recursive: true, force: true });
  }
});
