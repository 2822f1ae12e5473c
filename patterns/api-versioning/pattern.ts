/**
 * The manifest of the API versioning pattern: what the catalog lists and the
 * Lab tab shows, as plain data (the workbench reads it without running the lab).
 */
import type { PatternManifest } from '../kit/index.ts';
import { fleetParams } from './params.ts';
import { telemetry } from './telemetry.ts';
import { apiViews } from './views.ts';

export const pattern: PatternManifest = {
  id: 'api-versioning',
  title: 'API versioning',
  category: 'api',
  summary:
    'Serve every version of a resource from one handler: clients name a version by URL prefix, header or media type (or are pinned at their first call), older versions are small transformations of the newest response, and a deprecated version says so in Deprecation, Sunset and Link headers.',
  editableFiles: ['versions.ts', 'api-versioning.ts', 'deprecation.ts'],
  telemetry,
  labs: [
    {
      id: 'api',
      title: 'A fleet of clients on three versions of one API',
      summary:
        'Client integrations written against v1, v2 or v3 of a users API call it by URL prefix, X-API-Version header or Accept media type, or name no version at all, and check every answer against their version\u2019s docs. v1 is deprecated with a sunset: watch its traffic fall as clients upgrade, and break a version to see whose contract goes.',
      module: 'lab.ts',
      faultPoints: [
        {
          id: 'handler',
          kind: 'in-process',
          title: 'Newest handler',
          description:
            'Inside the one handler every version runs (the store lookup). An exception becomes a 500 in whichever version was asked for, all versions at once: one code path means one blast radius, and one fix. Latency slows every version alike.',
        },
      ],
      params: fleetParams.specs,
      views: apiViews,
      guide: {
        watch:
          'Watch **Which handler served each request**: the newest handler serves every version, and older versions get its answer transformed back; **Contract breaks** stays empty while each client gets what its version promised.',
        tryFirst: { label: 'Half the clients name no version', params: { unversionedShare: 0.5 } },
      },
      // 20 requests per second shared in turn by the 12 clients.
      defaultLoad: { model: 'open', rate: 20 },
      invariants: [
        {
          id: 'contract-kept',
          description:
            'Every client gets a response its version\u2019s contract accepts: a 200 in exactly the version it was written against (the X-API-Version it names, and that version\u2019s fields and values), an outage as a 5xx, and a 410 Gone only once the announced sunset has come, with the Sunset header saying so.',
        },
        {
          id: 'deprecation-announced',
          description:
            'Every response of a deprecated version announces it: a Deprecation date (RFC 9745, @seconds), a Sunset HTTP-date (RFC 8594) and a Link with rel="deprecation" to the migration notes, all as announced; and no response of a version never announced deprecated carries a Deprecation or Sunset header. Judged by the version each client asked for, never by the one the answer claims.',
        },
      ],
    },
  ],
};
