# Imports every module that maps a table, so that Base.metadata is whole for Alembic and the drift test.
import domain.insurance.models
import domain.kindergarten.models
import domain.medicines.models
import domain.shared.calendar_days
import domain.shared.clock_setting
import domain.shared.events
import domain.shared.organisations  # noqa: F401
