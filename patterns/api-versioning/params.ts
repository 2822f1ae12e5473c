/**
 * The api lab's knobs, declared once: pattern.ts lists them in the manifest
 * (`fleetParams.specs`) and lab.ts reads them typed, defaults included
 * (`fleetParams.read(ctx.params)`).
 */
import { defineParams } from '../kit/index.ts';

export const fleetParams = defineParams({
  clients: {
    label: 'Clients',
    description: 'How many client integrations call the API; the load is shared among them in turn.',
    type: 'integer',
    default: 12,
    min: 2,
    max: 60,
  },
  mix: {
    label: 'Version mix',
    description: 'Which versions the clients that name one were written against.',
    type: 'enum',
    default: 'even',
    options: [
      { value: 'legacy', label: 'Mostly v1 (60 / 30 / 10 %)' },
      { value: 'even', label: 'Even (a third each)' },
      { value: 'modern', label: 'Mostly v3 (10 / 30 / 60 %)' },
    ],
  },
  scheme: {
    label: 'How clients name their version',
    description: 'URL prefix (/api/v1/…), X-API-Version header (a date), Accept media type (application/vnd.example.v1+json), or each in turn.',
    type: 'enum',
    default: 'mixed',
    options: [
      { value: 'mixed', label: 'All three, in turn' },
      { value: 'url', label: 'URL prefix' },
      { value: 'header', label: 'X-API-Version header' },
      { value: 'media-type', label: 'Accept media type' },
    ],
  },
  unversionedShare: {
    label: 'Clients naming no version',
    description: 'New integrations written against the newest docs that send no version at all: the API must keep giving them what they were written against.',
    type: 'number',
    default: 0.25,
    min: 0,
    max: 1,
    step: 0.05,
  },
  deprecateV1: {
    label: 'Deprecate v1',
    description: 'Announce v1 deprecated from the start of the lab, with a sunset date and a link to the migration notes, on every v1 response.',
    type: 'boolean',
    default: true,
  },
  sunsetAfterS: {
    label: 'v1 sunset after',
    description: 'When v1 stops answering (410 Gone), counted from when the lab started: the start of the run, or the last save of the code.',
    type: 'integer',
    default: 120,
    min: 10,
    max: 3_600,
    step: 10,
    unit: 's',
  },
  migrationS: {
    label: 'Upgrade takes up to',
    description: "How long a client's team takes, at most, to move to the newest version once a Deprecation header has told them. 0: they never do.",
    type: 'integer',
    default: 60,
    min: 0,
    max: 600,
    step: 10,
    unit: 's',
  },
});
