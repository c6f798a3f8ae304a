-- People who sign in through an OpenID Connect provider: the provider's stable subject
-- identifier names the readyboard account it signs in as. Such accounts have no usable
-- password (local sign-in stays for local accounts and break-glass admins).
CREATE TABLE external_identities (
    issuer       TEXT   NOT NULL,
    subject      TEXT   NOT NULL,
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX external_identities_user ON external_identities(user_id);
