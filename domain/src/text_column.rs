//! The domain's enums stored as their stable names in text columns, on every database sqlx
//! speaks (feature `sqlx`): a row read back is the enum or an error, never a loose string.

/// Implements `sqlx::Type`, `Encode` and `Decode` for an enum with `as_str` and `parse`.
macro_rules! text_column {
    ($($t:ty),+ $(,)?) => {$(
        impl<DB: sqlx::Database> sqlx::Type<DB> for $t
        where
            str: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <str as sqlx::Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <str as sqlx::Type<DB>>::compatible(ty)
            }
        }

        impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for $t
        where
            &'q str: sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&'q str as sqlx::Encode<'q, DB>>::encode_by_ref(&self.as_str(), buf)
            }
        }

        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $t
        where
            &'r str: sqlx::Decode<'r, DB>,
        {
            fn decode(value: <DB as sqlx::Database>::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let word = <&'r str as sqlx::Decode<'r, DB>>::decode(value)?;
                <$t>::parse(word).ok_or_else(|| format!("{word:?} is not a {}", stringify!($t)).into())
            }
        }
    )+};
}

text_column!(
    crate::model::Status,
    crate::model::Severity,
    crate::model::FindingStatus,
    crate::scoring::Verdict,
    crate::role::Role,
    crate::decisions::Decision,
    crate::blockers::BlockerStatus,
    crate::blockers::BlockerSource,
    crate::checklist::ItemStatus,
    crate::checklist::SignoffVerdict,
    crate::checklist::EvidenceKind,
    crate::webhooks::DeliveryStatus,
);
