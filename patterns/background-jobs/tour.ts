/**
 * The guided tour of the jobs lab: from a healthy queue, to jobs that fail
 * and retry with jitter, to a worker killed mid-job whose jobs come back when
 * their leases expire, and back. Plain data: each step is ticked off by the
 * run's own events.
 */
import type { Tour } from '../kit/index.ts';

export const tour: Tour = {
  lab: 'jobs',
  title: 'Kill a worker and lose no job',
  intro:
    'Every `POST /process` enqueues a job that credits a customer’s loyalty points and is answered **202** with the job’s id at once; ' +
    'three workers, two jobs each, pull the jobs from a table in the run’s SQLite database. You will make jobs fail, kill a worker ' +
    'in the middle of its jobs, and watch the **Jobs** board: every job still ends **Completed** or **Dead**.',
  steps: [
    {
      title: 'Watch jobs flow across the board',
      instruction:
        'Press **Start run**. The load places 10 orders a second (one in five express, one in ten delayed by 2 s) and asks `GET /task/:id` ' +
        'about some of them. Watch the **Jobs** board: each card goes **Queued** → **Active** → **Completed** within about half a second.',
      until: [{ type: 'background-jobs.job', where: { to: 'completed' }, count: 20 }],
      explanation:
        'The API answered before any work was done: the 202 carries the job id, and the job is a row in the `jobs` table, so it survives ' +
        'the process that accepted it. A worker claimed it with one `UPDATE … RETURNING` that also gave it a lease, ran the credit, and ' +
        'marked it completed with the lease’s token.',
    },
    {
      title: 'Make the job fail, and watch the retries spread out',
      instruction:
        'In **Faults: Job handler**, set an error rate of 50 % (exception). Watch the **Retrying** column and the **Job moves** table’s ' +
        '**retry in** column.',
      until: [
        { type: 'fault.changed', where: { point: 'job-handler', 'spec.enabled': true } },
        { type: 'background-jobs.job', where: { to: 'retrying' }, count: 10 },
      ],
      explanation:
        'A failed attempt waits before the next one: 250–500 ms after the first failure, 500–1000 ms after the second, up to 8 s. The ' +
        'random half (jitter) is why two jobs that failed at the same moment do not come back at the same moment, as they do with the ' +
        'widely copied Python version’s `countdown=2 ** retries`. After the fourth failed attempt a job is **Dead**, with its last error on the card.',
    },
    {
      title: 'Kill a worker mid-job',
      instruction:
        'Clear the job-handler fault. In **Faults: Worker crash**, set an error rate of 20 %: the worker running a job dies after the job ' +
        'credited the points and before it told the queue. Watch the **Workers** table and the **Active** column.',
      until: [
        { type: 'background-jobs.worker', where: { event: 'killed' }, count: 2 },
        // A job run again after its worker died, finding its points credited already.
        { type: 'background-jobs.credit', where: { credited: false } },
      ],
      explanation:
        'A killed worker reports nothing: its jobs stay **Active**, held by a lease nobody extends. Three seconds later (the **Lease time**) ' +
        'another worker’s sweep takes them back to **Retrying**, and they run again. No job was lost, but each of those jobs ran twice: ' +
        'the rate “repeat runs that credited nothing” shows the job noticing, by its own id in `credited_jobs`, that its points were credited already.',
    },
    {
      title: 'Back to healthy',
      instruction: 'Clear the worker-crash fault and watch the board drain: **Active** and **Retrying** empty, every job **Completed** or **Dead**.',
      until: [{ type: 'fault.changed', where: { point: 'worker-crash', 'spec.enabled': false } }],
      blockedWhen: [
        {
          when: [{ fault: 'worker-crash', injected: false }],
          hint: 'The worker-crash fault is already cleared, so there is no change for this step to see: press **Clear** in **Faults: Worker crash** once more to tick it.',
        },
      ],
      explanation:
        'At-least-once delivery and an idempotent job are the pair that makes background work safe: the queue promises the job runs, the job ' +
        'promises that running twice does no harm. Neither invariant broke: no job was lost, and no job ran on two workers while its lease held.',
    },
  ],
};
