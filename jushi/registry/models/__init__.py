from .enterprises import Enterprise, SizeMembership
from .geography import Park, Region, Zone
from .industries import Industry
from .scopes import UserScope

__all__ = ["Enterprise", "Industry", "Park", "Region", "SizeMembership", "UserScope", "Zone"]
