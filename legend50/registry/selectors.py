from .models import Organization, Region


def region_list(user):
    return Region.objects.visible_to(user)


def organization_list(user):
    return Organization.objects.visible_to(user).select_related("region")
