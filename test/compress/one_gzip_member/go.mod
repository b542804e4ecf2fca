module onegzipmember

go 1.19
