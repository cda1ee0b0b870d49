(component quote "(import)")
