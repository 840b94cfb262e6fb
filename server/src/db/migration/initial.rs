//! The first schema: tenants, users, grants, impersonations, sessions, the audit log, tasks and
//! login throttles, with the indexes and keys the rules rely on.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261127_000001_initial"
    }
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    TenantId,
    Name,
    Email,
    EmailNormalized,
    PasswordHash,
    Role,
    ConsentVersion,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Grants {
    Table,
    Id,
    UserId,
    AllowedAt,
    StartDeadline,
    EndsAt,
    EndedAt,
    EndReason,
}

#[derive(DeriveIden)]
enum Impersonations {
    Table,
    Id,
    GrantId,
    SuperAdminId,
    StartedAt,
    Reason,
    EndedAt,
    EndReason,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    IdHash,
    UserId,
    ImpersonationId,
    EndedImpersonationId,
    CreatedAt,
    ExpiresAt,
    LastSeenAt,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    At,
    Kind,
    SubjectId,
    SuperAdminId,
    CausedById,
    GrantId,
    ImpersonationId,
    EndReason,
    Reason,
    Detail,
}

#[derive(DeriveIden)]
enum Tasks {
    Table,
    Id,
    TenantId,
    Title,
    Done,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum LoginThrottles {
    Table,
    Key,
    Failures,
    WindowStartedAt,
    LockedUntil,
}

fn fk(from: (impl IntoIden + 'static, impl IntoIden + 'static), to: (impl IntoIden + 'static, impl IntoIden + 'static), on_delete: ForeignKeyAction) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from.0, from.1).to(to.0, to.1).on_delete(on_delete).to_owned()
}

fn at(column: impl IntoIden + 'static) -> ColumnDef {
    ColumnDef::new(column).timestamp_with_time_zone().not_null().to_owned()
}

fn at_or_null(column: impl IntoIden + 'static) -> ColumnDef {
    ColumnDef::new(column).timestamp_with_time_zone().null().to_owned()
}

fn index(name: &str, table: impl IntoIden + 'static, column: impl IntoIden + 'static) -> IndexCreateStatement {
    Index::create().name(name).table(table).col(column).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Tenants::Table)
                .col(ColumnDef::new(Tenants::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Tenants::Name).string_len(200).not_null())
                .col(at(Tenants::CreatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(ColumnDef::new(Users::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Users::TenantId).uuid().null())
                .col(ColumnDef::new(Users::Name).string_len(200).not_null())
                .col(ColumnDef::new(Users::Email).string_len(254).not_null())
                .col(ColumnDef::new(Users::EmailNormalized).string_len(254).not_null().unique_key())
                .col(ColumnDef::new(Users::PasswordHash).string_len(200).not_null())
                .col(ColumnDef::new(Users::Role).string_len(20).not_null())
                .col(ColumnDef::new(Users::ConsentVersion).big_integer().not_null().default(0))
                .col(at(Users::CreatedAt))
                // Super admins belong to the vendor, users to exactly one tenant.
                .check(Expr::cust("(role = 'super_admin' AND tenant_id IS NULL) OR (role = 'user' AND tenant_id IS NOT NULL)"))
                .foreign_key(&mut fk((Users::Table, Users::TenantId), (Tenants::Table, Tenants::Id), ForeignKeyAction::Restrict))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Grants::Table)
                .col(ColumnDef::new(Grants::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Grants::UserId).uuid().not_null())
                .col(at(Grants::AllowedAt))
                .col(at(Grants::StartDeadline))
                .col(at_or_null(Grants::EndsAt))
                .col(at_or_null(Grants::EndedAt))
                .col(ColumnDef::new(Grants::EndReason).string_len(40).null())
                .foreign_key(&mut fk((Grants::Table, Grants::UserId), (Users::Table, Users::Id), ForeignKeyAction::Cascade))
                .to_owned(),
        )
        .await?;
        // At most one grant per user not recorded as ended: a second concurrent "allow" fails
        // here even if both transactions saw no open grant.
        m.get_connection()
            .execute_unprepared("CREATE UNIQUE INDEX grants_one_open_per_user ON grants (user_id) WHERE ended_at IS NULL")
            .await?;

        m.create_table(
            Table::create()
                .table(Impersonations::Table)
                .col(ColumnDef::new(Impersonations::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Impersonations::GrantId).uuid().not_null())
                .col(ColumnDef::new(Impersonations::SuperAdminId).uuid().not_null())
                .col(at(Impersonations::StartedAt))
                .col(ColumnDef::new(Impersonations::Reason).string_len(2000).null())
                .col(at_or_null(Impersonations::EndedAt))
                .col(ColumnDef::new(Impersonations::EndReason).string_len(40).null())
                .foreign_key(&mut fk((Impersonations::Table, Impersonations::GrantId), (Grants::Table, Grants::Id), ForeignKeyAction::Cascade))
                .foreign_key(&mut fk((Impersonations::Table, Impersonations::SuperAdminId), (Users::Table, Users::Id), ForeignKeyAction::Cascade))
                .to_owned(),
        )
        .await?;
        m.create_index(index("impersonations_by_grant", Impersonations::Table, Impersonations::GrantId)).await?;

        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(ColumnDef::new(Sessions::IdHash).string_len(64).not_null().primary_key())
                .col(ColumnDef::new(Sessions::UserId).uuid().not_null())
                .col(ColumnDef::new(Sessions::ImpersonationId).uuid().null())
                .col(ColumnDef::new(Sessions::EndedImpersonationId).uuid().null())
                .col(at(Sessions::CreatedAt))
                .col(at(Sessions::ExpiresAt))
                .col(at(Sessions::LastSeenAt))
                .foreign_key(&mut fk((Sessions::Table, Sessions::UserId), (Users::Table, Users::Id), ForeignKeyAction::Cascade))
                .foreign_key(&mut fk((Sessions::Table, Sessions::ImpersonationId), (Impersonations::Table, Impersonations::Id), ForeignKeyAction::SetNull))
                .foreign_key(&mut fk((Sessions::Table, Sessions::EndedImpersonationId), (Impersonations::Table, Impersonations::Id), ForeignKeyAction::SetNull))
                .to_owned(),
        )
        .await?;
        m.create_index(index("sessions_by_user", Sessions::Table, Sessions::UserId)).await?;
        m.create_index(index("sessions_by_impersonation", Sessions::Table, Sessions::ImpersonationId)).await?;

        m.create_table(
            Table::create()
                .table(AuditEvents::Table)
                .col(ColumnDef::new(AuditEvents::Id).big_integer().not_null().auto_increment().primary_key())
                .col(at(AuditEvents::At))
                .col(ColumnDef::new(AuditEvents::Kind).string_len(20).not_null())
                .col(ColumnDef::new(AuditEvents::SubjectId).uuid().not_null())
                .col(ColumnDef::new(AuditEvents::SuperAdminId).uuid().null())
                .col(ColumnDef::new(AuditEvents::CausedById).uuid().null())
                .col(ColumnDef::new(AuditEvents::GrantId).uuid().not_null())
                .col(ColumnDef::new(AuditEvents::ImpersonationId).uuid().null())
                .col(ColumnDef::new(AuditEvents::EndReason).string_len(40).null())
                .col(ColumnDef::new(AuditEvents::Reason).string_len(2000).null())
                .col(ColumnDef::new(AuditEvents::Detail).string_len(2000).null())
                // No foreign keys: the audit log outlives what it describes.
                .to_owned(),
        )
        .await?;
        m.create_index(index("audit_events_by_subject", AuditEvents::Table, AuditEvents::SubjectId)).await?;

        m.create_table(
            Table::create()
                .table(Tasks::Table)
                .col(ColumnDef::new(Tasks::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Tasks::TenantId).uuid().not_null())
                .col(ColumnDef::new(Tasks::Title).string_len(200).not_null())
                .col(ColumnDef::new(Tasks::Done).boolean().not_null().default(false))
                .col(ColumnDef::new(Tasks::CreatedBy).uuid().not_null())
                .col(at(Tasks::CreatedAt))
                .foreign_key(&mut fk((Tasks::Table, Tasks::TenantId), (Tenants::Table, Tenants::Id), ForeignKeyAction::Cascade))
                .foreign_key(&mut fk((Tasks::Table, Tasks::CreatedBy), (Users::Table, Users::Id), ForeignKeyAction::Restrict))
                .to_owned(),
        )
        .await?;
        m.create_index(index("tasks_by_tenant", Tasks::Table, Tasks::TenantId)).await?;

        m.create_table(
            Table::create()
                .table(LoginThrottles::Table)
                .col(ColumnDef::new(LoginThrottles::Key).string_len(300).not_null().primary_key())
                .col(ColumnDef::new(LoginThrottles::Failures).integer().not_null())
                .col(at(LoginThrottles::WindowStartedAt))
                .col(at_or_null(LoginThrottles::LockedUntil))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            LoginThrottles::Table.into_iden(),
            Tasks::Table.into_iden(),
            AuditEvents::Table.into_iden(),
            Sessions::Table.into_iden(),
            Impersonations::Table.into_iden(),
            Grants::Table.into_iden(),
            Users::Table.into_iden(),
            Tenants::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
