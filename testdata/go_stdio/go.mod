module example.com/wasmi-plugins/go-stdio

go 1.26
