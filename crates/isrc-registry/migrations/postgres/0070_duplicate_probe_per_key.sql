-- isrc-registry schema version 70 (PostgreSQL): isrc_allocate's duplicate check probes the
-- (prefix, match_key) index once per key, each probe an equality on both columns.
--
-- Version 40 asked `x.match_key = ANY (v_keys)` in one probe. On tables that autovacuum had
-- not analysed yet (every new ledger, and any prefix-year that grows faster than autovacuum
-- runs), the planner took the array as a filter and walked the whole prefix in the index: in
-- `benches/allocate-fill.sh` at fill 0, 3,099 probes read 5.35 M index entries (1,727 a probe)
-- and allocations ran at 1,121/s against 2,815/s once an ANALYZE had been run by hand. Two
-- equalities on the index's two columns are always both index conditions, whatever the
-- statistics say. Everything else is version 40's function unchanged.
CREATE OR REPLACE FUNCTION isrc_allocate(
    p_requests TEXT, p_origin TEXT, p_created_at TEXT, p_at TEXT, p_action TEXT
) RETURNS TABLE (req BIGINT, next_designation BIGINT, used BIGINT)
LANGUAGE plpgsql AS $$
DECLARE
    r RECORD;
    v_n BIGINT;
    v_next BIGINT;
    v_used BIGINT;
    v_key TEXT;
    v_duplicate BOOLEAN;
BEGIN
    FOR r IN
        SELECT e.ord - 1 AS i, e.v->>'prefix' AS prefix, (e.v->>'year')::bigint AS year,
               e.v->>'ranges' AS ranges, (e.v->>'code0')::bigint AS code0,
               e.v->>'actor' AS actor, (e.v->>'check')::boolean AS check_keys,
               e.v->'rows' AS rows
          FROM jsonb_array_elements(p_requests::jsonb) WITH ORDINALITY AS e(v, ord)
         ORDER BY 2, 3, 1
    LOOP
        req := r.i;
        next_designation := NULL;
        used := NULL;
        v_n := jsonb_array_length(r.rows);
        SELECT c.next_designation, c.used INTO v_next, v_used
          FROM counters c
         WHERE c.prefix = r.prefix AND c.year = r.year AND c.ranges = r.ranges
           AND c.used IS NOT NULL AND c.run_end IS NOT NULL
           AND c.next_designation + v_n - 1 <= c.run_end
           FOR UPDATE;
        IF NOT FOUND THEN
            RETURN NEXT;
            CONTINUE;
        END IF;
        IF r.check_keys THEN
            v_duplicate := false;
            FOR v_key IN SELECT e.v->>'match_key' FROM jsonb_array_elements(r.rows) AS e(v)
            LOOP
                IF EXISTS (
                    SELECT 1 FROM recordings x
                     WHERE x.prefix = r.prefix AND x.match_key = v_key AND x.status = 'active'
                ) THEN
                    v_duplicate := true;
                    EXIT;
                END IF;
            END LOOP;
            IF v_duplicate THEN
                RETURN NEXT;
                CONTINUE;
            END IF;
        END IF;
        UPDATE counters c SET next_designation = v_next + v_n, used = v_used + v_n
         WHERE c.prefix = r.prefix AND c.year = r.year;
        WITH ins AS (
            INSERT INTO recordings (code, isrc, prefix, year, designation, artist, title,
                version, duration_ms, content_type, published, language, recording_year,
                iswc, notes, client, parent, change_kind, status, void_reason, origin,
                match_key, created_at)
            SELECT r.code0 + d.designation,
                   r.prefix || lpad(r.year::text, 2, '0') || lpad(d.designation::text, 5, '0'),
                   r.prefix, r.year, d.designation,
                   d.v->>'artist', d.v->>'title', d.v->>'version',
                   (d.v->>'duration_ms')::bigint, d.v->>'content_type', d.v->>'published',
                   d.v->>'language', (d.v->>'recording_year')::bigint, d.v->>'iswc',
                   d.v->>'notes', d.v->>'client', d.v->>'parent', d.v->>'change_kind',
                   d.v->>'status', NULL, p_origin, d.v->>'match_key', p_created_at
              FROM (SELECT e.v, v_next + e.ord - 1 AS designation
                      FROM jsonb_array_elements(r.rows) WITH ORDINALITY AS e(v, ord)) AS d
            RETURNING *
        )
        INSERT INTO audit (at, actor, action, subject, after)
        SELECT p_at, r.actor, p_action, ins.isrc, json_build_object(
                   'isrc', ins.isrc, 'artist', ins.artist, 'title', ins.title,
                   'version', ins.version, 'duration_ms', ins.duration_ms,
                   'content_type', ins.content_type, 'published', ins.published,
                   'language', ins.language, 'recording_year', ins.recording_year,
                   'iswc', ins.iswc, 'notes', ins.notes, 'client', ins.client,
                   'parent', ins.parent, 'change', ins.change_kind, 'status', ins.status,
                   'void_reason', ins.void_reason, 'origin', ins.origin,
                   'created_at', ins.created_at)::text
          FROM ins ORDER BY ins.code;
        next_designation := v_next + v_n;
        used := v_used + v_n;
        RETURN NEXT;
    END LOOP;
END
$$;
