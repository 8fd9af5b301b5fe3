import type { SqlDriver } from './storeTypes.js'

/** One schema change, applied once, in version order. */
export interface Migration {
  readonly version: number
  readonly name: string
  readonly sql: string
}

/**
 * The store schema, as versioned migrations. Never edit a released migration: add the next one.
 * Timestamps are `timestamptz`; the whole event is kept as `payload` (jsonb) so nothing the
 * client sent is lost, with the columns segments filter on pulled out beside it.
 */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'events, customers, identities, erasures',
    sql: `
      create table ecrm_events (
        message_id text primary key,
        type text not null,
        event text,
        user_id text,
        anonymous_id text,
        occurred_at timestamptz not null,
        received_at timestamptz not null,
        payload jsonb not null
      );
      create index ecrm_events_user_id on ecrm_events (user_id) where user_id is not null;
      create index ecrm_events_anonymous_id on ecrm_events (anonymous_id) where anonymous_id is not null;
      create index ecrm_events_occurred_at on ecrm_events (occurred_at);
      create index ecrm_events_event on ecrm_events (event, occurred_at) where event is not null;

      create table ecrm_customers (
        id text primary key,
        traits jsonb not null default '{}'::jsonb,
        first_seen_at timestamptz not null,
        last_seen_at timestamptz not null
      );

      create table ecrm_identities (
        kind text not null check (kind in ('user_id', 'anonymous_id')),
        value text not null,
        customer_id text not null references ecrm_customers (id) on delete cascade,
        primary key (kind, value)
      );
      create index ecrm_identities_customer_id on ecrm_identities (customer_id);

      create table ecrm_erasures (
        id bigint generated always as identity primary key,
        requested_at timestamptz not null,
        subject_kind text not null,
        subject_sha256 text not null,
        events_deleted integer not null,
        customers_deleted integer not null,
        source text not null
      );
    `,
  },
  {
    version: 2,
    name: 'profiles, rule state',
    // Profiles are folded at ingest (reduceProfile); the plain columns beside the JSON are what
    // segments filter and sort on most, kept in step with `profile` by the store on every write.
    // Rule state is the rule engine's RuleStateStore: one row per rule and customer, with a
    // version for compare-and-set and the due time of its pending timer pulled out for polling.
    sql: `
      create table ecrm_profiles (
        customer_id text primary key references ecrm_customers (id) on delete cascade,
        profile jsonb not null,
        user_id text,
        email text,
        order_count integer not null default 0,
        revenue double precision not null default 0,
        currency text,
        first_seen_at timestamptz,
        last_seen_at timestamptz,
        last_order_at timestamptz,
        updated_at timestamptz not null default now()
      );
      create index ecrm_profiles_last_seen_at on ecrm_profiles (last_seen_at);
      create index ecrm_profiles_email on ecrm_profiles (email) where email is not null;

      create table ecrm_rule_state (
        key text primary key,
        value jsonb not null,
        version bigint not null,
        rule_id text,
        customer_id text,
        due_at bigint,
        updated_at timestamptz not null default now()
      );
      create index ecrm_rule_state_due_at on ecrm_rule_state (due_at) where due_at is not null;
      create index ecrm_rule_state_customer_id on ecrm_rule_state (customer_id);
    `,
  },
  {
    version: 3,
    name: 'derived profile columns, segment members and changes, models',
    // Derived intelligence (RFM, lead, CLV, named segments, loyalty) is kept in the profile JSON
    // and, for SQL, in these columns, written together by the store. Members hold each named or
    // RFM segment's entry time; changes are the log of entries and exits (not customer events).
    // ecrm_models holds the fitted model (cut points, BG/NBD + Gamma-Gamma) the ingest path
    // derives with, refit by the full refresh.
    sql: `
      alter table ecrm_profiles
        add column rfm_r smallint,
        add column rfm_f smallint,
        add column rfm_m smallint,
        add column rfm_segment text,
        add column lead_score double precision,
        add column lead_grade text,
        add column lead_letter text,
        add column lead_level integer,
        add column lead_stage text,
        add column clv_p_alive double precision,
        add column clv_expected_purchases double precision,
        add column clv_value double precision,
        add column segments text[] not null default '{}',
        add column loyalty_balance double precision,
        add column loyalty_tier text,
        add column derived_at timestamptz;
      create index ecrm_profiles_rfm_segment on ecrm_profiles (rfm_segment) where rfm_segment is not null;
      create index ecrm_profiles_segments on ecrm_profiles using gin (segments);

      create table ecrm_segment_members (
        customer_id text not null,
        segment_id text not null,
        entered_at timestamptz not null,
        primary key (customer_id, segment_id)
      );
      create index ecrm_segment_members_segment_id on ecrm_segment_members (segment_id, entered_at);

      create table ecrm_segment_changes (
        customer_id text not null,
        segment_id text not null,
        change text not null check (change in ('entered', 'exited')),
        at timestamptz not null
      );
      create index ecrm_segment_changes_customer_id on ecrm_segment_changes (customer_id, at);
      create index ecrm_segment_changes_at on ecrm_segment_changes (at);

      create table ecrm_models (
        id text primary key,
        model jsonb not null,
        fitted_at timestamptz not null
      );
    `,
  },
  {
    version: 5,
    name: 'rule firings',
    // A firing is the runner's record, never the customer's own event: ecrm_events (and so the
    // profile, lastSeenAt and "inactive N days" schedules) never see it. Keyed by the customer
    // like every table (a distribution key for Citus); `lease_until` (epoch ms) and
    // `delivered_at` give onFire at-least-once delivery across processes and restarts.
    sql: `
      create table ecrm_firings (
        customer_id text not null,
        firing_id text not null,
        rule_id text not null,
        fired_at timestamptz not null,
        payload jsonb not null,
        delivered_at timestamptz,
        lease_until bigint,
        attempts integer not null default 1,
        primary key (customer_id, firing_id)
      );
      create index ecrm_firings_rule_id on ecrm_firings (rule_id, fired_at);
      create index ecrm_firings_undelivered on ecrm_firings (lease_until) where delivered_at is null;
    `,
  },
  {
    version: 6,
    name: 'message outbox, suppression list',
    // The message outbox: written in the transaction that records its firing (so a crash neither
    // loses nor doubles one), rendered at enqueue (content is what was sent), leased by any
    // number of senders (`lease_until`, epoch ms, with `for update skip locked`). Keyed by the
    // customer like every table. `available_at` (epoch ms) is when a queued or deferred message
    // is due; caps count a customer's sent marketing messages per kind by `sent_at`.
    // Suppressions are per address (kind + recipient): an address that bounced bounces for every
    // customer that shares it, so the sender looks them up by (kind, recipient); the customer id
    // stays in the key for distribution.
    sql: `
      create table ecrm_messages (
        customer_id text not null,
        message_id text not null,
        firing_id text,
        rule_id text,
        channel text not null,
        kind text not null,
        recipient text,
        template text not null,
        locale text not null,
        category text not null check (category in ('transactional', 'marketing')),
        campaign text,
        content jsonb not null,
        headers jsonb not null default '{}'::jsonb,
        status text not null default 'queued' check (status in ('queued', 'sent', 'failed', 'suppressed', 'deferred')),
        attempts integer not null default 0,
        available_at bigint not null,
        lease_until bigint,
        provider_id text,
        reason text,
        created_at timestamptz not null,
        sent_at timestamptz,
        primary key (customer_id, message_id)
      );
      create index ecrm_messages_due on ecrm_messages (available_at) where status in ('queued', 'deferred');
      create index ecrm_messages_caps on ecrm_messages (customer_id, kind, sent_at) where status = 'sent' and category = 'marketing';
      create index ecrm_messages_rule_id on ecrm_messages (rule_id, created_at);
      create index ecrm_messages_campaign on ecrm_messages (campaign, created_at) where campaign is not null;
      create index ecrm_messages_firing_id on ecrm_messages (firing_id);

      create table ecrm_suppressions (
        customer_id text not null,
        kind text not null,
        recipient text not null,
        reason text not null,
        at timestamptz not null,
        primary key (customer_id, kind, recipient)
      );
      create index ecrm_suppressions_recipient on ecrm_suppressions (kind, recipient);
    `,
  },
  {
    version: 7,
    name: 'derived profile table',
    // The derived part of a profile (the DERIVED_PROFILE_FIELDS: rfm, lead, clv, loyalty,
    // segments, segmentsSince) moves out of the wide row into a narrow one of its own, so a full
    // refresh rewrites ~200 bytes a customer, not the 1–2 kB profile document and its indexes.
    // `ecrm_profiles.version` counts the writes of a profile; a derived row carries the version
    // it was derived from, and a refresh (which locks nothing) writes a row only while that
    // version is still the stored one. No foreign key: its check would lock the profile row the
    // refresh must not wait on; a trigger deletes the derived row with its profile instead.
    // Existing values move over; the profile documents lose their derived keys.
    sql: `
      alter table ecrm_profiles add column version bigint not null default 0;
      create table ecrm_profile_derived (
        customer_id text primary key,
        profile_version bigint not null default 0,
        derived jsonb not null default '{}'::jsonb,
        rfm_r smallint,
        rfm_f smallint,
        rfm_m smallint,
        rfm_segment text,
        lead_score double precision,
        lead_grade text,
        lead_letter text,
        lead_level integer,
        lead_stage text,
        clv_p_alive double precision,
        clv_expected_purchases double precision,
        clv_value double precision,
        segments text[] not null default '{}',
        loyalty_balance double precision,
        loyalty_tier text,
        derived_at timestamptz
      );
      insert into ecrm_profile_derived (customer_id, derived, rfm_r, rfm_f, rfm_m, rfm_segment, lead_score, lead_grade, lead_letter,
          lead_level, lead_stage, clv_p_alive, clv_expected_purchases, clv_value, segments, loyalty_balance, loyalty_tier, derived_at)
        select customer_id,
               (select coalesce(jsonb_object_agg(key, value), '{}'::jsonb) from jsonb_each(profile)
                 where key in ('rfm', 'lead', 'clv', 'loyalty', 'segments', 'segmentsSince')),
               rfm_r, rfm_f, rfm_m, rfm_segment, lead_score, lead_grade, lead_letter, lead_level, lead_stage,
               clv_p_alive, clv_expected_purchases, clv_value, segments, loyalty_balance, loyalty_tier, derived_at
          from ecrm_profiles
         where derived_at is not null or profile ?| '{rfm,lead,clv,loyalty,segments,segmentsSince}'::text[];
      update ecrm_profiles set profile = profile - '{rfm,lead,clv,loyalty,segments,segmentsSince}'::text[]
       where profile ?| '{rfm,lead,clv,loyalty,segments,segmentsSince}'::text[];
      alter table ecrm_profiles
        drop column rfm_r, drop column rfm_f, drop column rfm_m, drop column rfm_segment,
        drop column lead_score, drop column lead_grade, drop column lead_letter, drop column lead_level, drop column lead_stage,
        drop column clv_p_alive, drop column clv_expected_purchases, drop column clv_value, drop column segments,
        drop column loyalty_balance, drop column loyalty_tier, drop column derived_at;
      create index ecrm_profile_derived_rfm_segment on ecrm_profile_derived (rfm_segment) where rfm_segment is not null;
      create index ecrm_profile_derived_segments on ecrm_profile_derived using gin (segments);

      create function ecrm_profile_derived_delete() returns trigger language plpgsql as $$
        begin
          delete from ecrm_profile_derived where customer_id = old.customer_id;
          return old;
        end
      $$;
      create trigger ecrm_profile_derived_delete after delete on ecrm_profiles
        for each row execute function ecrm_profile_derived_delete();
    `,
  },
  {
    version: 11,
    name: 'destination queues',
    // One durable queue per configured destination (webhook, CRM), in the store so any number of
    // `ecrm serve` processes share it and a crash loses nothing. Rows stay after delivery
    // (status 'delivered' or 'dead' with the vendor's reason): re-queueing an item id that was
    // already delivered is a no-op, so a client retry or a redelivered firing never sends twice.
    sql: `
      create table ecrm_destination_items (
        destination text not null,
        item_id text not null,
        payload text not null,
        status text not null default 'queued' check (status in ('queued', 'delivered', 'dead')),
        attempts integer not null default 0,
        available_at bigint not null,
        lease_until bigint,
        reason text,
        created_at bigint not null,
        settled_at bigint,
        primary key (destination, item_id)
      );
      create index ecrm_destination_items_due on ecrm_destination_items (destination, available_at) where status = 'queued';
    `,
  },
  {
    version: 12,
    name: 'messages by provider id',
    // Kavenegar's delivery callbacks name only the provider's messageid: find its row without a scan.
    sql: `
      create index ecrm_messages_provider_id on ecrm_messages (provider_id) where provider_id is not null;
    `,
  },
  {
    version: 14,
    name: 'marketing spend',
    // Imported ad spend per day, channel, campaign and currency: the key is the whole row but the
    // amount, so importing the same file again replaces each day's amount instead of adding it.
    // `campaign` and `currency` are '' when the file has none (a primary key takes no nulls).
    sql: `
      create table ecrm_spend (
        day date not null,
        channel text not null,
        campaign text not null default '',
        currency text not null default '',
        amount double precision not null,
        imported_at timestamptz not null default now(),
        primary key (day, channel, campaign, currency)
      );
    `,
  },
]

/** An arbitrary constant: the advisory lock that serialises migrations across processes. */
const MIGRATION_LOCK = 4_242_001

/**
 * Applies the migrations not applied yet, in one transaction, under an advisory lock so many
 * processes starting at once apply each migration exactly once. Returns the versions applied.
 */
export async function migrate(driver: SqlDriver, list: readonly Migration[] = migrations): Promise<number[]> {
  return driver.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
    await tx.exec(`
      create table if not exists ecrm_schema_migrations (
        version integer primary key,
        name text not null,
        applied_at timestamptz not null default now()
      )`)
    const rows = await tx.query<{ version: number }>('select version from ecrm_schema_migrations')
    const done = new Set(rows.map((row) => row.version))
    const applied: number[] = []
    for (const migration of [...list].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue
      await tx.exec(migration.sql)
      await tx.query('insert into ecrm_schema_migrations (version, name) values ($1, $2)', [
        migration.version,
        migration.name,
      ])
      applied.push(migration.version)
    }
    return applied
  })
}
