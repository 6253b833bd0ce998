-- The PostGraphile reference of bench/verify (run.py applies this file before it starts PostGraphile).
--
-- bench_api.verify_pack(code) is what govgraph's verifyPack does for a code in the Kazakhstan form, in SQL:
-- the code is cut by position (85 characters: 01 GTIN 21 serial GS 91 key GS 92 MAC; any other form answers
-- INVALID_CODE), AI 92 is checked with pgcrypto's HMAC-SHA256 and the bench key (bench_private.code_keys, written by
-- seed.py), then one SELECT has the same joins as domain/medicines/verification.py::_registry_view (pack, product,
-- batch, holder, manufacturer, and the maximum retail price in force today in Almaty), and a CASE gives the verdict
-- in the order of verification._verdict. PL/pgSQL rather than SQL, so that each connection plans that SELECT once
-- (a non-inlined SQL function is planned again on every call), and STABLE STRICT, so that PostGraphile exposes it
-- as the root query field `verifyPack(code: String!): PackVerification`. The composite types mirror the fields
-- of govgraph's PackVerification that the benchmark's document selects, under the same names:
--   verifyPack(code: $code) { verdict severity product { tradeName inn } batch expiry maxRetailPrice
--                             location { organisation { name } } }

CREATE EXTENSION IF NOT EXISTS pgcrypto SCHEMA bench_private;

DROP SCHEMA IF EXISTS bench_api CASCADE;
CREATE SCHEMA bench_api;

CREATE TYPE bench_api.product_card AS (trade_name text, inn text);
CREATE TYPE bench_api.organisation_card AS (name text);
CREATE TYPE bench_api.pack_location AS (organisation bench_api.organisation_card, state text);
CREATE TYPE bench_api.pack_verification AS (
    verdict text,
    severity text,
    product bench_api.product_card,
    batch text,
    expiry date,
    max_retail_price text,
    location bench_api.pack_location
);

CREATE FUNCTION bench_api.verify_pack(code text) RETURNS bench_api.pack_verification
LANGUAGE plpgsql STABLE STRICT
AS $$
DECLARE
    v_gtin text := substr(code, 3, 14);
    v_serial text := substr(code, 19, 13);
    v_key_id text := substr(code, 35, 4);
    v_mac text := substr(code, 42);
    v_today date := (now() AT TIME ZONE INTERVAL '+05:00')::date;  -- Almaty
    v_secret bytea;
    r record;
    v_verdict text;
BEGIN
    SELECT k.secret INTO v_secret FROM bench_private.code_keys k WHERE k.key_id = v_key_id;
    IF length(code) <> 85 OR substr(code, 1, 2) <> '01' OR substr(code, 17, 2) <> '21'
       OR substr(code, 32, 3) <> E'\x1d91' OR substr(code, 39, 3) <> E'\x1d92' OR v_secret IS NULL
       OR encode(bench_private.hmac(convert_to(v_gtin || v_serial, 'UTF8'), v_secret, 'sha256'), 'base64') <> v_mac
    THEN
        RETURN ROW('INVALID_CODE', 'RED', NULL, NULL, NULL, NULL, NULL)::bench_api.pack_verification;
    END IF;

    SELECT p.state::text AS state, pr.status::text AS product_status, pr.trade_name, pr.inn,
           b.number, b.expiry, b.status::text AS batch_status,
           o.name AS holder_name, o.kind::text AS holder_kind, m.name AS manufacturer_name,
           (SELECT mrp.price_tiyn FROM max_retail_prices mrp
            WHERE mrp.gtin = p.gtin AND mrp.effective_from <= v_today
            ORDER BY mrp.effective_from DESC LIMIT 1) AS price_tiyn
      INTO r
      FROM packs p
      JOIN products pr ON pr.gtin = p.gtin
      LEFT JOIN batches b ON b.id = p.batch_id
      JOIN organisations o ON o.bin = p.owner_bin
      LEFT JOIN organisations m ON m.bin = pr.manufacturer_bin
     WHERE p.gtin = v_gtin AND p.serial = v_serial;
    IF NOT FOUND THEN
        RETURN ROW('UNKNOWN_CODE', 'RED', NULL, NULL, NULL, NULL, NULL)::bench_api.pack_verification;
    END IF;

    v_verdict := CASE
        WHEN r.product_status = 'WITHDRAWN' THEN 'WITHDRAWN'
        WHEN r.batch_status = 'RECALLED' THEN 'RECALLED'
        WHEN r.state IN ('WRITTEN_OFF', 'EXPORTED') THEN 'WRITTEN_OFF'
        WHEN r.state IN ('DISPENSED', 'PARTIALLY_DISPENSED') THEN 'ALREADY_DISPENSED'
        WHEN r.expiry < v_today THEN 'EXPIRED'
        WHEN r.state <> 'ACTIVE' OR r.holder_kind NOT IN ('PHARMACY', 'HOSPITAL') THEN 'NOT_RELEASED'
        ELSE 'GENUINE'
    END;
    RETURN ROW(
        v_verdict,
        CASE WHEN v_verdict = 'GENUINE' THEN 'GREEN'
             WHEN v_verdict IN ('NOT_RELEASED', 'ALREADY_DISPENSED', 'EXPIRED') THEN 'GREY'
             ELSE 'RED' END,
        ROW(r.trade_name, r.inn)::bench_api.product_card,
        r.number,
        r.expiry,
        CASE WHEN r.price_tiyn IS NULL THEN NULL
             ELSE (r.price_tiyn / 100)::text || '.' || lpad((r.price_tiyn % 100)::text, 2, '0') END,
        ROW(ROW(r.holder_name)::bench_api.organisation_card, r.state)::bench_api.pack_location
    )::bench_api.pack_verification;
END
$$;

COMMENT ON FUNCTION bench_api.verify_pack(text) IS
    'Anyone: is the pack behind a scanned code genuine, and what is it? (bench reference of govgraph''s verifyPack)';
