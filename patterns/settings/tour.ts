/**
 * The guided tour of the service lab: where each setting comes from, a
 * change applied live, an invalid one refused, a start refused with every
 * error, a cached service ignoring an edit, and a secret on its way into the
 * logs. Plain data: each step is ticked off by the run's own events.
 */
import type { Tour } from '../kit/index.ts';

export const tour: Tour = {
  lab: 'service',
  title: 'Where settings come from, and what a change does',
  intro:
    'The quote service reads six settings, declared once in `app-settings.ts`: `APP_ENV`, `POOL_SIZE`, ' +
    '`REQUEST_TIMEOUT_MS`, `PRICING_URL`, `PRICING_API_KEY` (a secret) and `LOG_LEVEL`. Its inputs are the ' +
    '**Environment** and the **.env file** in **Parameters**, which you edit while it runs. You will watch where ' +
    'each value comes from, change one live, push an invalid one, restart into a refused start, watch a cached ' +
    'service ignore an edit, and catch the API key on its way into a log line.',
  steps: [
    {
      title: 'Every setting, and where it came from',
      instruction:
        'Press **▶ Start run**. Look at **Settings by source** and **Settings in use** while a few quotes go through.',
      until: [
        { type: 'settings.service', where: { to: 'running' } },
        { type: 'settings.value', count: 6 },
        { type: 'request', where: { direction: 'inbound', status: 200 }, count: 10 },
      ],
      explanation:
        '`APP_ENV` and the key come from the environment, which wins over the .env file; `POOL_SIZE`, ' +
        '`REQUEST_TIMEOUT_MS`, `PRICING_URL` and `LOG_LEVEL` from the .env file (with their line). Nothing ' +
        'fell back to the production profile, which would set `LOG_LEVEL=warn`, or to a default. The key shows as ' +
        '`**********` everywhere, the logs’ *settings loaded* line and `GET /settings` included: it is a `Secret`, ' +
        'not a string.',
    },
    {
      title: 'Change a setting on a running service',
      instruction:
        'In **Parameters**, edit the **.env file**: set `REQUEST_TIMEOUT_MS=50` and **Apply**. Watch the **Request log**.',
      until: [
        { type: 'settings.reload', where: { outcome: 'applied', changed: 'REQUEST_TIMEOUT_MS' } },
        { type: 'request', where: { direction: 'inbound', status: 504 }, count: 5 },
      ],
      explanation:
        'The reload strategy read the file again, validated it and swapped the settings in one step ' +
        '(**Reads of the settings**: *applied*, generation 2). The pricing service takes 60–100 ms: every quote now ' +
        'times out with 504. A setting is behaviour. Put it back to `800`.',
    },
    {
      title: 'Push an invalid change',
      instruction:
        'Edit the **.env file** again: set `POOL_SIZE=four` and delete the `PRICING_URL` line. **Apply**.',
      until: [
        { type: 'settings.reload', where: { outcome: 'rejected', trigger: 'edit' } },
        { type: 'settings.invalid', where: { phase: 'reload' }, count: 2 },
        { type: 'request', where: { direction: 'inbound', status: 200 }, count: 10 },
      ],
      explanation:
        'The reload was refused, with both problems listed at once (**Validation errors**: the variable, where its ' +
        'value came from, what was expected), and the service goes on with the settings it had: quotes still ' +
        'succeed. The widely copied Python version has no reload at all; its usual fix, `get_settings.cache_clear()`, ' +
        'forgets the good settings first, and then every request raises until someone fixes the file.',
    },
    {
      title: 'Restart into a refused start',
      instruction:
        'Leave the .env file broken. Set **Reload strategy** to *cached* and **Apply**: changing the strategy ' +
        'restarts the service.',
      until: [
        { type: 'params.changed', where: { 'params.reloadStrategy': 'cached' } },
        { type: 'settings.service', where: { to: 'refused' } },
        { type: 'request', where: { direction: 'inbound', status: 503 }, count: 5 },
      ],
      explanation:
        'A restart reads the inputs as they are, and they are invalid: the service refuses to start, and every ' +
        'request gets 503 with the whole list of errors, not the first one. That is the price of a restart as ' +
        'the only way to apply a change: an invalid change takes the service down with it.',
    },
    {
      title: 'A cached service ignores an edit',
      instruction:
        'Fix the .env file (`POOL_SIZE=4` and `PRICING_URL=https://pricing.internal/v2`) and **Apply**: the ' +
        'supervisor restarts the refused service. Then set `POOL_SIZE=2` and **Apply** once more.',
      until: [
        { type: 'settings.service', where: { from: 'refused', to: 'running' } },
        { type: 'settings.reload', where: { outcome: 'ignored' } },
      ],
      explanation:
        'The service runs again, on the cached strategy: it read its settings once, at start, as `@lru_cache` on ' +
        '`get_settings()` does. Your edit of `POOL_SIZE` is *ignored*: **Settings in use** still says 4, and the lab ' +
        '(not the service, which says nothing) shows the 2 as *pending*. Nothing changes until a restart, and ' +
        'nothing tells you so. Set **Reload strategy** back to *reload*.',
    },
    {
      title: 'Leak the key',
      instruction:
        'Open `secret.ts` on the **Code** tab. Replace each `#value` with `value` (the field and its two uses), ' +
        'delete the `toJSON()` method, and save.',
      until: [{ type: 'invariant.violated', where: { invariant: 'no-secret-in-output' } }],
      explanation:
        'With a public field and no `toJSON`, `JSON.stringify` writes the key out: into the *settings loaded* log ' +
        'line and into every `GET /settings` answer. `no-secret-in-output` broke on each. TypeScript’s `private` ' +
        'would not have helped either: it vanishes at run time. The widely copied Python version types ' +
        '`external_api_key` as a plain `str`, so its first `logger.info(settings)` does the same. Undo your change ' +
        'and save; exercise *Mask a secret everywhere* asks you to write it yourself.',
    },
  ],
};
